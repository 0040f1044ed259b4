using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;
using MediaRelay.Transport.Udp;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Transport;

/// <summary>Creates and binds one media socket with the configured options; shared by both transports.</summary>
internal static class MediaSockets
{
    /// <summary>
    /// A bound UDP socket, or null (logged at debug level) when the port cannot be bound, with
    /// <paramref name="error"/> telling a busy port from a process out of descriptors. Never throws.
    /// </summary>
    public static Socket? TryBind(IPEndPoint local, UdpTransportOptions options, bool blocking, ILogger logger, out BindError error)
    {
        Socket socket;
        try
        {
            socket = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        }
        catch (SocketException e)
        {
            // socket(2) itself failed: EMFILE / ENFILE / ENOBUFS / ENOMEM. No other port would do better.
            TransportLog.BindFailed(logger, local.ToString(), e.SocketErrorCode.ToString());
            error = BindError.NoDescriptors;
            return null;
        }

        try
        {
            if (local.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }

            socket.Blocking = blocking;
            socket.Bind(local);
            if (options.ReceiveBufferSize > 0)
            {
                socket.ReceiveBufferSize = options.ReceiveBufferSize;
            }

            if (options.SendBufferSize > 0)
            {
                socket.SendBufferSize = options.SendBufferSize;
            }

            if (options.Dscp >= 0)
            {
                // DSCP sits in the upper six bits of the TOS / traffic class byte (RFC 2474 section 3).
                var level = local.AddressFamily == AddressFamily.InterNetworkV6 ? SocketOptionLevel.IPv6 : SocketOptionLevel.IP;
                socket.SetSocketOption(level, SocketOptionName.TypeOfService, options.Dscp << 2);
            }

            error = BindError.None;
            return socket;
        }
        catch (SocketException e)
        {
            TransportLog.BindFailed(logger, local.ToString(), e.SocketErrorCode.ToString());
            socket.Dispose();
            error = e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable
                ? BindError.NoDescriptors
                : BindError.PortUnavailable;
            return null;
        }
    }
}
