using System.Collections.Concurrent;
using System.Net;
using MediaRelay.Core.Api;

namespace MediaRelay.Control.Tests.Ng;

/// <summary>A relay transport that binds nothing: tests hand packets to a relay port directly.</summary>
internal sealed class NullTransport : IPacketTransport
{
    private readonly ConcurrentDictionary<int, Socket> _sockets = new();

    public int OpenSockets => _sockets.Count;

    public IRelaySocket? TryBind(IPEndPoint local, IPacketReceiver receiver, out BindError error)
    {
        var socket = new Socket(this, local, receiver);
        var added = _sockets.TryAdd(local.Port, socket);
        error = added ? BindError.None : BindError.PortUnavailable;
        return added ? socket : null;
    }

    /// <summary>A datagram from <paramref name="from"/> arrives at relay port <paramref name="port"/>.</summary>
    public void Deliver(int port, byte[] data, IPEndPoint from) => _sockets[port].Receiver.OnPacket(data, from.Serialize());

    private sealed class Socket(NullTransport owner, IPEndPoint local, IPacketReceiver receiver) : IRelaySocket
    {
        public IPacketReceiver Receiver { get; } = receiver;

        public IPEndPoint LocalEndPoint { get; } = local;

        public bool Send(ReadOnlySpan<byte> packet, SocketAddress destination) => true;

        public void Dispose() => owner._sockets.TryRemove(LocalEndPoint.Port, out _);
    }
}
