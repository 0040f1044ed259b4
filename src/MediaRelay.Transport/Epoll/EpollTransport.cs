using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Transport.Native;
using MediaRelay.Transport.Udp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Transport.Epoll;

/// <summary>
/// The fast user-space transport on Linux: media sockets sharded by port pair across one <see cref="EpollLoop"/> per
/// core. Same contract as <see cref="UdpTransport"/>; Core cannot tell them apart.
/// </summary>
public sealed class EpollTransport : IPacketTransport, IDisposable
{
    private readonly PacketLoops<EpollLoop> _loops;
    private readonly UdpTransportOptions _options;
    private readonly ILogger _logger;

    public EpollTransport(UdpTransportOptions? options = null, int loops = 0, ILogger<EpollTransport>? logger = null)
    {
        if (!LinuxNative.IsSupported)
        {
            throw new PlatformNotSupportedException("the epoll transport needs Linux on x86-64 or arm64; use the sockets transport");
        }

        _options = options ?? new UdpTransportOptions();
        _logger = logger ?? NullLogger<EpollTransport>.Instance;
        _loops = new PacketLoops<EpollLoop>(loops, i => new EpollLoop(i, _options.MaxDatagramSize, _options.RealtimePriority), _options, _logger);
    }

    public static bool IsSupported => LinuxNative.IsSupported;

    public int LoopCount => _loops.Count;

    /// <summary>Datagrams received, over every loop.</summary>
    public long Packets => _loops.Packets;

    /// <summary>recvmmsg calls that returned datagrams, over every loop: Packets / Batches is the mean batch.</summary>
    public long Batches => Sum(static loop => loop.Batches);

    /// <summary>epoll_wait rounds that returned events, over every loop: Packets / Wakeups is the packets per wake-up.</summary>
    public long Wakeups => Sum(static loop => loop.Wakeups);

    /// <summary>Datagrams dropped because they did not fit the receive buffer (MSG_TRUNC).</summary>
    public long Truncated => _loops.Truncated;

    /// <summary>Queued packets the kernel refused in sendmmsg.</summary>
    public long SendErrors => _loops.SendErrors;

    /// <summary>Packets whose handler threw: a bug, counted so it shows.</summary>
    public long HandlerErrors => _loops.HandlerErrors;

    public IRelaySocket? TryBind(IPEndPoint local, IPacketReceiver receiver, out BindError error) =>
        _loops.TryBind(local, receiver, _options, blocking: false, _logger,
            static (socket, target, loop) => new EpollSocket(socket, target, loop), static (loop, socket) => loop.TryRegister(socket), out error);

    private long Sum(Func<EpollLoop, long> figure) => _loops.Sum(figure);

    public void Dispose() => _loops.Dispose();
}
