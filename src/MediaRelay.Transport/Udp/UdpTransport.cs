using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Transport.Udp;

/// <summary>
/// The user-space UDP transport: one socket per relay port, each with its own receive loop that hands every
/// datagram to its receiver inline and sends with a synchronous, non-blocking sendto. No buffer, address or
/// task is allocated per packet.
/// Threading: <see cref="TryBind"/> may be called from any thread.
/// </summary>
public sealed class UdpTransport : IPacketTransport
{
    private readonly UdpTransportOptions _options;
    private readonly ILogger _logger;
    private long _receiveErrors;
    private long _sendErrors;

    public UdpTransport(UdpTransportOptions? options = null, ILogger<UdpTransport>? logger = null)
    {
        _options = options ?? new UdpTransportOptions();
        _logger = logger ?? NullLogger<UdpTransport>.Instance;
    }

    /// <summary>Socket errors on receive, over every socket (each logged at most at debug level).</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    /// <summary>Datagrams the kernel refused to send, over every socket.</summary>
    public long SendErrors => Interlocked.Read(ref _sendErrors);

    public IRelaySocket? TryBind(IPEndPoint local, IPacketReceiver receiver, out BindError error)
    {
        var socket = MediaSockets.TryBind(local, _options, blocking: false, _logger, out error);
        if (socket is null)
        {
            return null;
        }

        var relaySocket = new UdpRelaySocket(socket, receiver, _options.MaxDatagramSize, this);
        relaySocket.Start();
        return relaySocket;
    }

    internal void CountReceiveError(SocketError error, EndPoint? local)
    {
        Interlocked.Increment(ref _receiveErrors);
        TransportLog.ReceiveError(_logger, local?.ToString() ?? "?", error.ToString());
    }

    internal void CountSendError() => Interlocked.Increment(ref _sendErrors);
}
