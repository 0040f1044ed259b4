using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using MediaRelay.LoadGen.Media;

namespace MediaRelay.LoadGen.Soak;

/// <summary>
/// The soak's phones: two sides per call slot (sides 2i and 2i+1 are slot i's caller and callee), one sender thread
/// that gives every side one packet slot per ptime spread evenly over the period (a side that is not sending skips
/// its slot), and one epoll receiver thread over all four sockets of every slot. Latency goes into one cumulative
/// histogram written by the receiver thread only; <see cref="LatencySnapshot"/> copies it for the sampler, which
/// takes interval percentiles from the difference of two copies.
/// </summary>
internal sealed class SoakEngine : IDisposable
{
    private const int MaxEvents = 256;
    private static readonly double TicksPerMicrosecond = Stopwatch.Frequency / 1_000_000.0;
    private readonly LatencyHistogram _latency = new();
    private readonly double _periodSeconds;
    private readonly int _epollFd;
    private Thread? _sender;
    private Thread? _receiver;
    private volatile bool _stop;

    public SoakEngine(int slots, IPAddress bindAddress, int receiveBufferBytes, double periodSeconds)
    {
        _periodSeconds = periodSeconds;
        Sides = new SoakSide[slots * 2];
        _epollFd = Epoll.Create();
        try
        {
            for (var i = 0; i < Sides.Length; i++)
            {
                var side = new SoakSide(i, bindAddress, receiveBufferBytes) { PeerId = i ^ 1 };
                Sides[i] = side;
                Epoll.Add(_epollFd, side.Fd(0), (ulong)(i * 2));
                Epoll.Add(_epollFd, side.Fd(1), (ulong)((i * 2) + 1));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public SoakSide[] Sides { get; }

    public SoakSide Caller(int slot) => Sides[slot * 2];

    public SoakSide Callee(int slot) => Sides[(slot * 2) + 1];

    public void Start()
    {
        _sender = new Thread(SendLoop) { IsBackground = true, Name = "soak-send" };
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "soak-recv" };
        _receiver.Start();
        _sender.Start();
    }

    /// <summary>Stops sending first, lets what is in flight arrive, then stops receiving.</summary>
    public void Stop()
    {
        foreach (var side in Sides)
        {
            side.Sending = false;
        }

        Thread.Sleep(300);
        _stop = true;
        _sender?.Join();
        _receiver?.Join();
    }

    public (long Sent, long Received, long Foreign, long SendErrors) Totals()
    {
        long sent = 0, received = 0, foreign = 0, errors = 0;
        foreach (var side in Sides)
        {
            sent += side.Sent;
            received += side.Received;
            foreign += side.Foreign;
            errors += side.SendErrors;
        }

        return (sent, received, foreign, errors);
    }

    /// <summary>A copy of the cumulative latency histogram (read while the receiver writes; a bench figure).</summary>
    public LatencyHistogram LatencySnapshot() => _latency.Copy();

    public void Dispose()
    {
        foreach (var side in Sides)
        {
            side?.Dispose();
        }

        Epoll.Close(_epollFd);
    }

    private void SendLoop()
    {
        var sides = Sides;
        var ticksBetween = _periodSeconds * Stopwatch.Frequency / sides.Length;
        var start = Stopwatch.GetTimestamp();
        long k = 0;
        var index = 0;
        while (!_stop)
        {
            var now = Stopwatch.GetTimestamp();
            var due = start + (long)(k * ticksBetween);
            if (due > now)
            {
                Thread.Sleep(1);
                continue;
            }

            var budget = 256;
            while (due <= now && budget-- > 0)
            {
                sides[index].SendNext();
                k++;
                index = index + 1 == sides.Length ? 0 : index + 1;
                due = start + (long)(k * ticksBetween);
            }
        }
    }

    private unsafe void ReceiveLoop()
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
                    var token = (int)Epoll.TokenAt(events, i);
                    var side = Sides[token >> 1];
                    var length = receiver.Receive(side.Fd(token & 1));
                    if (length < 0)
                    {
                        continue;
                    }

                    var transit = side.Account(receiver.Data(length), Stopwatch.GetTimestamp());
                    if (transit >= 0)
                    {
                        _latency.RecordMicroseconds((long)(transit / TicksPerMicrosecond));
                    }
                }
            }
        }
        finally
        {
            NativeMemory.Free(events);
        }
    }
}
