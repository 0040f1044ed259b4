using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;
using MediaRelay.Transport.Udp;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Transport;

/// <summary>A packet loop of a native transport (epoll or io_uring): one thread, its own sockets.</summary>
internal interface IPacketLoop : IDisposable
{
    /// <summary>0, or the errno of the refused real-time priority.</summary>
    int SchedulingError { get; }

    /// <summary>Datagrams received.</summary>
    long Packets { get; }

    /// <summary>Datagrams dropped because they did not fit the receive buffer (MSG_TRUNC).</summary>
    long Truncated { get; }

    /// <summary>Sends the kernel refused.</summary>
    long SendErrors { get; }

    /// <summary>Packets whose handler threw: a bug, counted so it shows.</summary>
    long HandlerErrors { get; }
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

    /// <summary>
    /// What both native transports do to bind: create and bind the socket, wrap it for its loop (by port pair) and
    /// register it there. A loop that refuses (stopping) makes the port unavailable.
    /// </summary>
    public IRelaySocket? TryBind<TSocket>(IPEndPoint local, IPacketReceiver receiver, UdpTransportOptions options, bool blocking,
        ILogger logger, Func<Socket, IPacketReceiver, TLoop, TSocket> wrap, Func<TLoop, TSocket, bool> register, out BindError error)
        where TSocket : LoopSocket
    {
        var socket = MediaSockets.TryBind(local, options, blocking, logger, out error);
        if (socket is null)
        {
            return null;
        }

        var loop = For(socket);
        var relaySocket = wrap(socket, receiver, loop);
        if (!register(loop, relaySocket))
        {
            socket.Dispose();
            error = BindError.PortUnavailable;
            return null;
        }

        return relaySocket;
    }

    public long Packets => Sum(static loop => loop.Packets);

    public long Truncated => Sum(static loop => loop.Truncated);

    public long SendErrors => Sum(static loop => loop.SendErrors);

    public long HandlerErrors => Sum(static loop => loop.HandlerErrors);

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
