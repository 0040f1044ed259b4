using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Transport.Native;
using MediaRelay.Transport.Udp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Transport.IoUring;

/// <summary>
/// The io_uring transport (Linux 6.1 and later): media sockets sharded by port pair across one
/// <see cref="IoUringLoop"/> per core, each receiving with multishot recvmsg into provided buffers and sending with
/// sendmsg entries, one io_uring_enter per round. Same contract as the other transports; Core cannot tell them apart.
/// </summary>
public sealed class IoUringTransport : IPacketTransport, IDisposable
{
    private readonly IoUringLoop[] _loops;
    private readonly UdpTransportOptions _options;
    private readonly ILogger _logger;

    /// <summary>Starts the loops; throws <see cref="PlatformNotSupportedException"/> with the kernel's reason when io_uring is unavailable.</summary>
    public IoUringTransport(UdpTransportOptions? options = null, int loops = 0, ILogger<IoUringTransport>? logger = null)
    {
        if (!LinuxNative.IsSupported)
        {
            throw new PlatformNotSupportedException("the io_uring transport needs Linux on x86-64 or arm64");
        }

        _options = options ?? new UdpTransportOptions();
        _logger = logger ?? NullLogger<IoUringTransport>.Instance;
        var count = loops > 0 ? loops : Environment.ProcessorCount;
        _loops = new IoUringLoop[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                _loops[i] = new IoUringLoop(i, _options.MaxDatagramSize, _options.RealtimePriority);
            }
        }
        catch
        {
            Dispose();
            throw;
        }

        TransportLog.RealtimeOutcome(_logger, _options.RealtimePriority, Array.ConvertAll(_loops, static loop => loop.SchedulingError));
    }

    /// <summary>Null when this machine can run the io_uring transport, else the reason it cannot.</summary>
    public static string? Unavailable()
    {
        if (!LinuxNative.IsSupported)
        {
            return "the io_uring transport needs Linux on x86-64 or arm64";
        }

        try
        {
            using var probe = new IoUringLoop(0, 64);
            return null;
        }
        catch (PlatformNotSupportedException e)
        {
            return e.Message;
        }
    }

    public int LoopCount => _loops.Length;

    /// <summary>Datagrams received, over every loop.</summary>
    public long Packets => Sum(static loop => loop.Packets);

    /// <summary>io_uring_enter rounds over every loop: Packets / Rounds is the packets per system call.</summary>
    public long Rounds => Sum(static loop => loop.Rounds);

    public long Truncated => Sum(static loop => loop.Truncated);

    public long SendErrors => Sum(static loop => loop.SendErrors);

    public long HandlerErrors => Sum(static loop => loop.HandlerErrors);

    public long ReceiveErrors => Sum(static loop => loop.ReceiveErrors);

    public IRelaySocket? TryBind(IPEndPoint local, IPacketReceiver receiver)
    {
        // A blocking descriptor: io_uring waits for data itself, and every direct send passes MSG_DONTWAIT.
        var socket = MediaSockets.TryBind(local, _options, blocking: true, _logger);
        if (socket is null)
        {
            return null;
        }

        // Shard by port pair: an RTP port and its RTCP port share a loop, and consecutive pairs spread evenly. The
        // bound port, not the asked one: port 0 binds would all land on one loop.
        var loop = _loops[((IPEndPoint)socket.LocalEndPoint!).Port / 2 % _loops.Length];
        var relaySocket = new IoUringSocket(socket, receiver, loop);
        if (!loop.TryRegister(relaySocket))
        {
            socket.Dispose();
            return null;
        }

        return relaySocket;
    }

    private long Sum(Func<IoUringLoop, long> figure)
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
