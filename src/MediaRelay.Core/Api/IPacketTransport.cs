using System.Net;

namespace MediaRelay.Core.Api;

/// <summary>
/// Receives the datagrams of one relay socket. Called on that socket's receive thread only, one packet at a time;
/// the span is valid only during the call.
/// </summary>
public interface IPacketReceiver
{
    void OnPacket(ReadOnlySpan<byte> packet, SocketAddress source);
}

/// <summary>One bound relay socket. Send may be called from any thread; it never throws on network errors.</summary>
public interface IRelaySocket : IDisposable
{
    IPEndPoint LocalEndPoint { get; }

    /// <summary>Sends one datagram; returns false when the kernel refused it (counted by the caller).</summary>
    bool Send(ReadOnlySpan<byte> packet, SocketAddress destination);
}

/// <summary>Why a bind failed: the port alone (try another), or the process (no port will bind now).</summary>
public enum BindError
{
    None,
    /// <summary>This port cannot be bound (in use, refused): another port may work.</summary>
    PortUnavailable,
    /// <summary>No descriptor left (EMFILE, ENFILE, ENOBUFS, ENOMEM): no other port will bind either.</summary>
    NoDescriptors,
}

/// <summary>The only way Core reaches the network: binding relay sockets.</summary>
public interface IPacketTransport
{
    /// <summary>
    /// Binds a UDP socket on the endpoint and starts delivering its packets. Null when it cannot be bound, with
    /// <paramref name="error"/> saying whether another port is worth trying. Never throws on a bind failure.
    /// </summary>
    IRelaySocket? TryBind(IPEndPoint local, IPacketReceiver receiver, out BindError error);
}
