using System.Net;
using System.Net.Sockets;
using MediaRelay.Transport.Udp;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Transport;

/// <summary>A packet loop of a native transport (epoll or io_uring): one thread, its own sockets.</summary>
internal interface IPacketLoop : IDisposable
{
    /// <summary>0, or the errno of the refused real-time priority.</summary>
    int SchedulingError { get; }
}

/// <summary>
/// The packet loops of a native transport, one per core unless told otherwise, and the rule that shards sockets
/// across them. Started together (all or none), logged together, stopped together.
/// </summary>
internal sealed class PacketLoops<TLoop> : IDisposable
    where TLoop : class, IPacketLoop
{
    private readonly TLoop[] _loops;

    public PacketLoops(int count, Func<int, TLoop> start, UdpTransportOptions options, ILogger logger)
    {
        _loops = new TLoop[count > 0 ? count : Environment.ProcessorCount];
        try
        {
            for (var i = 0; i < _loops.Length; i++)
            {
                _loops[i] = start(i);
            }
        }
        catch
        {
            Dispose();
            throw;
        }

        TransportLog.RealtimeOutcome(logger, options.RealtimePriority, Array.ConvertAll(_loops, static loop => loop.SchedulingError));
    }

    public int Count => _loops.Length;

    /// <summary>
    /// The loop for a bound socket. By port pair: an RTP port and its RTCP port share a loop, and consecutive pairs
    /// spread evenly. The bound port, not the asked one: port 0 binds would all land on one loop.
    /// </summary>
    public TLoop For(Socket bound) => _loops[((IPEndPoint)bound.LocalEndPoint!).Port / 2 % _loops.Length];

    /// <summary>A counter summed over every loop.</summary>
    public long Sum(Func<TLoop, long> figure)
    {
        long sum = 0;
        foreach (var loop in _loops)
        {
            sum += figure(loop);
        }

        return sum;
    }

    public void Dispose()
    {
        foreach (var loop in _loops)
        {
            loop?.Dispose();
        }
    }
}
