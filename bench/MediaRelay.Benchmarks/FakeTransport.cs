using System.Net;
using MediaRelay.Core.Api;

namespace MediaRelay.Benchmarks;

/// <summary>
/// A transport with no sockets: <see cref="TryBind"/> records the receiver of every bound port so a benchmark can
/// deliver packets to it directly, and every socket's <see cref="IRelaySocket.Send"/> only counts. This takes the
/// syscalls out of the relay's packet path and leaves the relay's own work.
/// </summary>
public sealed class FakeTransport : IPacketTransport
{
    private readonly Dictionary<int, IPacketReceiver> _receivers = [];

    /// <summary>Datagrams "sent" by all sockets of this transport.</summary>
    public long Sent { get; private set; }

    public IPacketReceiver ReceiverOf(int port) =>
        _receivers.TryGetValue(port, out var receiver)
            ? receiver
            : throw new InvalidOperationException($"no socket bound on port {port}");

    public IRelaySocket? TryBind(IPEndPoint local, IPacketReceiver receiver, out BindError error)
    {
        error = BindError.None;
        _receivers[local.Port] = receiver;
        return new FakeSocket(this, local);
    }

    private void CountSend() => Sent++;

    private sealed class FakeSocket(FakeTransport owner, IPEndPoint local) : IRelaySocket
    {
        public IPEndPoint LocalEndPoint { get; } = local;

        public bool Send(ReadOnlySpan<byte> packet, SocketAddress destination)
        {
            owner.CountSend();
            return true;
        }

        public void Dispose() => owner._receivers.Remove(LocalEndPoint.Port);
    }
}
