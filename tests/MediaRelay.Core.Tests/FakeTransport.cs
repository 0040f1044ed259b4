using System.Net;
using MediaRelay.Core.Api;

namespace MediaRelay.Core.Tests;

/// <summary>A transport that binds nothing: tests hand packets to a port and read what was sent where.</summary>
internal sealed class FakeTransport : IPacketTransport
{
    public Dictionary<int, FakeSocket> Sockets { get; } = [];

    /// <summary>Every bound socket by its address and port (interfaces share the port range, so a port may repeat).</summary>
    public Dictionary<IPEndPoint, FakeSocket> Bound { get; } = [];

    /// <summary>The relay endpoint and the destination of every send.</summary>
    public List<(IPEndPoint From, IPEndPoint To)> Routes { get; } = [];

    public HashSet<int> Unbindable { get; } = [];

    public List<(int FromPort, byte[] Data, IPEndPoint To)> Sent { get; } = [];

    /// <summary>When set, binding fails as if the process had no descriptor left once this many sockets are open.</summary>
    public int? DescriptorLimit { get; set; }

    public int BindAttempts { get; private set; }

    public IRelaySocket? TryBind(IPEndPoint local, IPacketReceiver receiver, out BindError error)
    {
        BindAttempts++;
        if (DescriptorLimit is { } limit && Sockets.Count >= limit)
        {
            error = BindError.NoDescriptors;
            return null;
        }

        if (Unbindable.Contains(local.Port) || Bound.ContainsKey(local))
        {
            error = BindError.PortUnavailable;
            return null;
        }

        error = BindError.None;

        var socket = new FakeSocket(this, local, receiver);
        Sockets.TryAdd(local.Port, socket);
        Bound[local] = socket;
        return socket;
    }

    public int OpenSockets => Bound.Count;

    /// <summary>Delivers a datagram to one relay socket, named by its address and port.</summary>
    public void Deliver(IPEndPoint local, byte[] data, IPEndPoint from) =>
        Bound[local].Receiver.OnPacket(data, from.Serialize());

    /// <summary>Delivers a datagram to the relay port, as if it came from <paramref name="from"/>.</summary>
    public void Deliver(int port, byte[] data, IPEndPoint from) =>
        Sockets[port].Receiver.OnPacket(data, from.Serialize());

    public List<(int FromPort, byte[] Data, IPEndPoint To)> TakeSent()
    {
        var sent = new List<(int, byte[], IPEndPoint)>(Sent);
        Sent.Clear();
        return sent;
    }

    internal sealed class FakeSocket(FakeTransport owner, IPEndPoint local, IPacketReceiver receiver) : IRelaySocket
    {
        public IPacketReceiver Receiver { get; } = receiver;

        public IPEndPoint LocalEndPoint { get; } = local;

        public bool Send(ReadOnlySpan<byte> packet, SocketAddress destination)
        {
            var to = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(destination);
            owner.Sent.Add((LocalEndPoint.Port, packet.ToArray(), to));
            owner.Routes.Add((LocalEndPoint, to));
            return true;
        }

        public void Dispose()
        {
            owner.Bound.Remove(LocalEndPoint);
            if (owner.Sockets.TryGetValue(LocalEndPoint.Port, out var first) && first == this)
            {
                owner.Sockets.Remove(LocalEndPoint.Port);
            }
        }
    }
}
