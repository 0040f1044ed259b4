using System.Net;

namespace MediaRelay.LoadGen.Media;

/// <summary>Totals for one direction of media, summed over every call.</summary>
internal sealed record DirectionTotals(
    long Sent,
    long SendErrors,
    long Received,
    long Reordered,
    long Duplicates,
    long Foreign,
    double LossPercent,
    double LatencyP50Us,
    double LatencyP99Us,
    double LatencyP999Us,
    double JitterMeanUs,
    double JitterMaxUs);

/// <summary>
/// Latency and jitter over both directions. Kernel* is the same packets' latency up to the kernel's receive stamp
/// (leaves out the generator's receive wake-up); KernelMissing counts recorded packets that had no such stamp,
/// KernelNegative those whose stamp came before the send stamp (a clock step; recorded as 0).
/// </summary>
internal readonly record struct LatencySummary(
    double P50,
    double P99,
    double P999,
    double JitterMean,
    double JitterMax,
    double KernelP50,
    double KernelP99,
    double KernelP999,
    long KernelMissing,
    long KernelNegative);

/// <summary>
/// Owns the calls' legs (two UDP sockets per call), the receiver threads and, per run, the sender threads.
/// Legs 2i and 2i+1 are call i's caller and callee. Used by one coordinating thread.
/// </summary>
internal sealed class MediaEngine : IDisposable
{
    private readonly List<ReceiverLoop> _receivers = [];

    public MediaEngine(int calls, IPAddress bindAddress, int receiveBufferBytes)
    {
        Legs = new MediaLeg[calls * 2];
        try
        {
            for (var call = 0; call < calls; call++)
            {
                var caller = new MediaLeg(call * 2, call, LegRole.Caller, bindAddress, receiveBufferBytes);
                Legs[call * 2] = caller;
                var callee = new MediaLeg((call * 2) + 1, call, LegRole.Callee, bindAddress, receiveBufferBytes);
                Legs[(call * 2) + 1] = callee;
                caller.PeerId = callee.Id;
                callee.PeerId = caller.Id;
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public MediaLeg[] Legs { get; }

    public int Calls => Legs.Length / 2;

    public MediaLeg Caller(int call) => Legs[call * 2];

    public MediaLeg Callee(int call) => Legs[(call * 2) + 1];

    /// <summary>Loopback: no relay; each side sends straight to the other's socket through the same code path.</summary>
    public void ConnectLoopback()
    {
        for (var call = 0; call < Calls; call++)
        {
            Caller(call).ConnectTo(Callee(call).LocalEndPoint);
            Callee(call).ConnectTo(Caller(call).LocalEndPoint);
        }
    }

    public void StartReceivers(int threads)
    {
        threads = Math.Clamp(threads, 1, Math.Max(1, Legs.Length));
        for (var t = 0; t < threads; t++)
        {
            var owned = Legs.Where(leg => leg.Id % threads == t);
            var loop = new ReceiverLoop(Legs, owned, "loadgen-recv-" + t);
            _receivers.Add(loop);
            loop.Start();
        }
    }

    public void SetRecordLatency(bool record)
    {
        foreach (var receiver in _receivers)
        {
            receiver.RecordLatency = record;
        }
    }

    /// <summary>Sends on the given legs for <paramref name="duration"/>, each leg once per period, then stops.</summary>
    public void RunSenders(IReadOnlyList<MediaLeg> active, double periodSeconds, bool spin, int threads, TimeSpan duration, CancellationToken cancel)
    {
        if (active.Count == 0)
        {
            Thread.Sleep(duration);
            return;
        }

        threads = Math.Clamp(threads, 1, active.Count);
        var loops = new List<SenderLoop>();
        for (var t = 0; t < threads; t++)
        {
            var mine = active.Where((_, i) => i % threads == t).ToArray();

            // Each thread's period is shared by its own legs, so every leg still sends once per period.
            loops.Add(new SenderLoop(mine, periodSeconds, spin, "loadgen-send-" + t));
        }

        foreach (var loop in loops)
        {
            loop.Start();
        }

        cancel.WaitHandle.WaitOne(duration);
        foreach (var loop in loops)
        {
            loop.Stop();
        }
    }

    public void StopReceivers()
    {
        foreach (var receiver in _receivers)
        {
            receiver.Stop();
        }
    }

    public DirectionTotals Totals(LegRole senderRole, IReadOnlyList<MediaLeg> active)
    {
        var receiverRole = senderRole == LegRole.Caller ? LegRole.Callee : LegRole.Caller;
        var histogram = new LatencyHistogram();
        foreach (var receiver in _receivers)
        {
            histogram.Merge(receiver.LatencyByReceiverRole[(int)receiverRole]);
        }

        long sent = 0, errors = 0, received = 0, reordered = 0, duplicates = 0, foreign = 0;
        double jitterSum = 0, jitterMax = 0;
        var receivingLegs = 0;
        foreach (var leg in active)
        {
            if (leg.Role == senderRole)
            {
                sent += leg.Sent;
                errors += leg.SendErrors;
            }
            else
            {
                received += leg.Received - leg.Duplicates;
                reordered += leg.Reordered;
                duplicates += leg.Duplicates;
                foreign += leg.Foreign;
                jitterSum += leg.JitterMicroseconds;
                jitterMax = Math.Max(jitterMax, leg.JitterMicroseconds);
                receivingLegs++;
            }
        }

        var loss = sent == 0 ? 100.0 : Math.Max(0, (sent - received) * 100.0 / sent);
        return new DirectionTotals(
            sent,
            errors,
            received,
            reordered,
            duplicates,
            foreign,
            loss,
            histogram.PercentileMicroseconds(0.50),
            histogram.PercentileMicroseconds(0.99),
            histogram.PercentileMicroseconds(0.999),
            receivingLegs == 0 ? double.NaN : jitterSum / receivingLegs,
            jitterMax);
    }

    /// <summary>Kernel receive drops on the generator's sockets and on the relay's ports these legs send to.</summary>
    public static (long Generator, long Relay) SocketDrops(IReadOnlyList<MediaLeg> active, bool loopback)
    {
        var own = active.Select(leg => leg.LocalEndPoint.Port).ToHashSet();
        var relay = loopback
            ? []
            : active.Where(leg => leg.RemoteEndPoint is not null).Select(leg => leg.RemoteEndPoint!.Port).ToHashSet();
        return (Report.UdpDrops.Sum(own), relay.Count == 0 ? 0 : Report.UdpDrops.Sum(relay));
    }

    public LatencySummary LatencyAll(IReadOnlyList<MediaLeg> active)
    {
        var histogram = new LatencyHistogram();
        var kernel = new LatencyHistogram();
        long kernelMissing = 0, kernelNegative = 0;
        foreach (var receiver in _receivers)
        {
            histogram.Merge(receiver.LatencyByReceiverRole[0]);
            histogram.Merge(receiver.LatencyByReceiverRole[1]);
            kernel.Merge(receiver.KernelLatencyByReceiverRole[0]);
            kernel.Merge(receiver.KernelLatencyByReceiverRole[1]);
            kernelMissing += receiver.KernelStampMissing;
            kernelNegative += receiver.KernelStampNegative;
        }

        double jitterSum = 0, jitterMax = 0;
        foreach (var leg in active)
        {
            jitterSum += leg.JitterMicroseconds;
            jitterMax = Math.Max(jitterMax, leg.JitterMicroseconds);
        }

        return new LatencySummary(
            histogram.PercentileMicroseconds(0.50),
            histogram.PercentileMicroseconds(0.99),
            histogram.PercentileMicroseconds(0.999),
            active.Count == 0 ? double.NaN : jitterSum / active.Count,
            jitterMax,
            kernel.PercentileMicroseconds(0.50),
            kernel.PercentileMicroseconds(0.99),
            kernel.PercentileMicroseconds(0.999),
            kernelMissing,
            kernelNegative);
    }

    public void Dispose()
    {
        foreach (var receiver in _receivers)
        {
            receiver.Dispose();
        }

        foreach (var leg in Legs)
        {
            leg?.Dispose();
        }
    }
}
