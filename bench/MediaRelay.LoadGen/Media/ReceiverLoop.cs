using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace MediaRelay.LoadGen.Media;

/// <summary>
/// One receiver thread: an epoll set over its legs' sockets; on readiness, one non-blocking receive per ready
/// socket into one reused buffer and stamps arrival right after the receive. Latency is kept per direction in
/// this thread's own histograms (single writer), merged by the coordinator after <see cref="Stop"/>.
/// </summary>
internal sealed class ReceiverLoop : IDisposable
{
    private const int MaxEvents = 256;
    private readonly MediaLeg[] _allLegs;
    private readonly int _epollFd;
    private readonly Thread _thread;
    private volatile bool _stop;

    public ReceiverLoop(MediaLeg[] allLegs, IEnumerable<MediaLeg> owned, string name)
    {
        _allLegs = allLegs;
        _epollFd = Epoll.Create();
        foreach (var leg in owned)
        {
            Epoll.Add(_epollFd, (int)leg.Socket.Handle, (ulong)leg.Id);
        }

        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    /// <summary>Latency of packets received by Callee legs (the Caller→Callee direction), and the reverse.</summary>
    public LatencyHistogram[] LatencyByReceiverRole { get; } = [new LatencyHistogram(), new LatencyHistogram()];

    /// <summary>Set while recording; when false, packets are counted but kept out of the latency histograms.</summary>
    public bool RecordLatency { get; set; } = true;

    public void Start() => _thread.Start();

    public void Stop()
    {
        _stop = true;
        _thread.Join();
    }

    public void Dispose() => Epoll.Close(_epollFd);

    private unsafe void Run()
    {
        var buffer = new byte[2048];
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * 16));
        var ticksPerMicrosecond = Stopwatch.Frequency / 1_000_000.0;
        try
        {
            while (!_stop)
            {
                var ready = Epoll.Wait(_epollFd, events, MaxEvents, 50);
                for (var i = 0; i < ready; i++)
                {
                    var leg = _allLegs[(int)Epoll.TokenAt(events, i)];
                    var socket = leg.Socket;
                    var histogram = LatencyByReceiverRole[(int)leg.Role];

                    // One receive per readiness event: epoll is level-triggered, so a socket with more queued
                    // reports ready again on the next wait. This saves the extra receive that would only return
                    // EAGAIN, which at 50 packets per second per socket is the common case.
                    var length = socket.Receive(buffer, SocketFlags.None, out var error);
                    if (error != SocketError.Success)
                    {
                        continue;
                    }

                    var transit = leg.Account(buffer.AsSpan(0, length), Stopwatch.GetTimestamp());
                    if (transit >= 0 && RecordLatency)
                    {
                        histogram.RecordMicroseconds((long)(transit / ticksPerMicrosecond));
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
