using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MediaRelay.LoadGen.Media;

/// <summary>
/// One receiver thread: an epoll set over its legs' sockets; on readiness, one non-blocking recvmsg per ready
/// socket into one reused native buffer, and stamps arrival right after the receive. Latency is kept per direction
/// in this thread's own histograms (single writer), merged by the coordinator after <see cref="Stop"/>: the
/// user-space figure (stopwatch after the receive − stopwatch before the send) and the kernel figure (the kernel's
/// SO_TIMESTAMPNS receive stamp − the CLOCK_REALTIME send stamp), which leaves out this thread's wake-up.
/// </summary>
internal sealed class ReceiverLoop : IDisposable
{
    private const int MaxEvents = 256;
    private static readonly double TicksPerMicrosecond = Stopwatch.Frequency / 1_000_000.0;
    private readonly MediaLeg[] _allLegs;
    private readonly int _epollFd;
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _kernelMissing;
    private long _kernelNegative;

    public ReceiverLoop(MediaLeg[] allLegs, IEnumerable<MediaLeg> owned, string name)
    {
        _allLegs = allLegs;
        _epollFd = Epoll.Create();
        foreach (var leg in owned)
        {
            Epoll.Add(_epollFd, leg.Fd, (ulong)leg.Id);
        }

        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    /// <summary>Latency of packets received by Callee legs (the Caller→Callee direction), and the reverse.</summary>
    public LatencyHistogram[] LatencyByReceiverRole { get; } = [new LatencyHistogram(), new LatencyHistogram()];

    /// <summary>The same packets' latency up to the kernel's receive stamp, by receiving role.</summary>
    public LatencyHistogram[] KernelLatencyByReceiverRole { get; } = [new LatencyHistogram(), new LatencyHistogram()];

    /// <summary>Recorded packets that came without a kernel receive stamp (kept out of the kernel histograms).</summary>
    public long KernelStampMissing => Volatile.Read(ref _kernelMissing);

    /// <summary>Recorded packets whose kernel stamp was before their send stamp (a clock step); recorded as 0.</summary>
    public long KernelStampNegative => Volatile.Read(ref _kernelNegative);

    /// <summary>Set while recording; when false, packets are counted but kept out of the latency histograms.</summary>
    public bool RecordLatency { get; set; } = true;

    public void Start() => _thread.Start();

    public void Stop()
    {
        _stop = true;
        _thread.Join();
    }

    public void Dispose() => Epoll.Close(_epollFd);

    /// <summary>
    /// Receives one datagram from a ready leg and accounts it. Allocation-free. Called by this loop's thread only
    /// (or, with the loop not started, by a test).
    /// </summary>
    internal void ReceiveOne(MediaLeg leg, MessageReceiver receiver)
    {
        var length = receiver.Receive(leg.Fd);
        if (length < 0)
        {
            return;
        }

        var receivedAt = Stopwatch.GetTimestamp();
        var transit = leg.Account(receiver.Data(length), receivedAt, out var sentRealtime);
        if (transit < 0 || !RecordLatency)
        {
            return;
        }

        var role = (int)leg.Role;
        LatencyByReceiverRole[role].RecordMicroseconds((long)(transit / TicksPerMicrosecond));
        if (!receiver.TryGetKernelTimestamp(out var kernelArrival))
        {
            Volatile.Write(ref _kernelMissing, _kernelMissing + 1);
            return;
        }

        var kernelTransit = kernelArrival - sentRealtime;
        if (kernelTransit < 0)
        {
            Volatile.Write(ref _kernelNegative, _kernelNegative + 1);
        }

        KernelLatencyByReceiverRole[role].RecordMicroseconds(kernelTransit / 1000);
    }

    private unsafe void Run()
    {
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * 16));
        using var receiver = new MessageReceiver();
        try
        {
            while (!_stop)
            {
                var ready = Epoll.Wait(_epollFd, events, MaxEvents, 50);
                for (var i = 0; i < ready; i++)
                {
                    // One receive per readiness event: epoll is level-triggered, so a socket with more queued
                    // reports ready again on the next wait. This saves the extra receive that would only return
                    // EAGAIN, which at 50 packets per second per socket is the common case.
                    ReceiveOne(_allLegs[(int)Epoll.TokenAt(events, i)], receiver);
                }
            }
        }
        finally
        {
            NativeMemory.Free(events);
        }
    }
}
