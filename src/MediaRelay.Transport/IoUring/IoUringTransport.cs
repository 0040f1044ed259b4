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
    private readonly PacketLoops<IoUringLoop> _loops;
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
        _loops = new PacketLoops<IoUringLoop>(loops, i => new IoUringLoop(i, _options.MaxDatagramSize, _options.RealtimePriority), _options, _logger);
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

    public int LoopCount => _loops.Count;

    /// <summary>Datagrams received, over every loop.</summary>
    public long Packets => _loops.Packets;

    /// <summary>io_uring_enter rounds over every loop: Packets / Rounds is the packets per system call.</summary>
    public long Rounds => Sum(static loop => loop.Rounds);

    public long Truncated => _loops.Truncated;

    public long SendErrors => _loops.SendErrors;

    public long HandlerErrors => _loops.HandlerErrors;

    public long ReceiveErrors => Sum(static loop => loop.ReceiveErrors);

    /// <summary>A blocking descriptor: io_uring waits for data itself, and every direct send passes MSG_DONTWAIT.</summary>
    public IRelaySocket? TryBind(IPEndPoint local, IPacketReceiver receiver, out BindError error) =>
        _loops.TryBind(local, receiver, _options, blocking: true, _logger,
            static (socket, target, loop) => new IoUringSocket(socket, target, loop), static (loop, socket) => loop.TryRegister(socket), out error);

    private long Sum(Func<IoUringLoop, long> figure) => _loops.Sum(figure);

    public void Dispose() => _loops.Dispose();
}
