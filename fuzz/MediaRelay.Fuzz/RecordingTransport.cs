using System.Net;
using MediaRelay.Core.Api;

namespace MediaRelay.Fuzz;

/// <summary>
/// A transport that binds nothing (the minimal form of tests/MediaRelay.Core.Tests/FakeTransport.cs): the fuzz
/// target hands datagrams to a bound relay socket and reads back every send, with the port it left from.
/// </summary>
internal sealed class RecordingTransport : IPacketTransport
{
    public Dictionary<int, Socket> Bound { get; } = [];

    public List<Sent> Sends { get; } = [];

    public IRelaySocket? TryBind(IPEndPoint local, IPacketReceiver receiver, out BindError error)
    {
        if (Bound.ContainsKey(local.Port))
        {
            error = BindError.PortUnavailable;
            return null;
        }

        error = BindError.None;
        var socket = new Socket(this, local, receiver);
        Bound[local.Port] = socket;
        return socket;
    }

    /// <summary>A datagram that the relay sent: the relay port it left from, its bytes and its destination.</summary>
    internal readonly record struct Sent(int FromPort, byte[] Data, IPEndPoint To);

    internal sealed class Socket(RecordingTransport owner, IPEndPoint local, IPacketReceiver receiver) : IRelaySocket
    {
        public IPacketReceiver Receiver { get; } = receiver;

        public IPEndPoint LocalEndPoint { get; } = local;

        public bool Send(ReadOnlySpan<byte> packet, SocketAddress destination)
        {
            var to = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(destination);
            owner.Sends.Add(new Sent(LocalEndPoint.Port, packet.ToArray(), to));
            return true;
        }

        public void Dispose()
        {
            if (owner.Bound.TryGetValue(LocalEndPoint.Port, out var bound) && bound == this)
            {
                owner.Bound.Remove(LocalEndPoint.Port);
            }
        }
    }
}
