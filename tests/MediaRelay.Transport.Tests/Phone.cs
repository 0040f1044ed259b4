using System.Net;
using System.Net.Sockets;

namespace MediaRelay.Transport.Tests;

/// <summary>A simulated phone: one UDP socket on loopback that sends to the relay and records what it receives.</summary>
internal sealed class Phone : IDisposable
{
    private readonly Socket _socket;

    public Phone(string address = "127.0.0.1")
    {
        var ip = IPAddress.Parse(address);
        _socket = new Socket(ip.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(ip, 0));
        _socket.ReceiveBufferSize = 1 << 20;
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint EndPoint { get; }

    public void Send(byte[] packet, int relayPort) =>
        _socket.SendTo(packet, new IPEndPoint(EndPoint.Address.Equals(IPAddress.IPv6Loopback) ? IPAddress.IPv6Loopback : IPAddress.Loopback, relayPort));

    public void Send(byte[] packet, SocketAddress relay) => _socket.SendTo(packet, SocketFlags.None, relay);

    /// <summary>Receives until <paramref name="count"/> datagrams arrived or nothing came for <paramref name="quiet"/>.</summary>
    public List<(byte[] Data, IPEndPoint From)> Receive(int count, TimeSpan quiet)
    {
        var received = new List<(byte[], IPEndPoint)>();
        var buffer = new byte[2048];
        while (received.Count < count && _socket.Poll(quiet, SelectMode.SelectRead))
        {
            EndPoint from = new IPEndPoint(EndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            var length = _socket.ReceiveFrom(buffer, ref from);
            received.Add((buffer[..length], (IPEndPoint)from));
        }

        return received;
    }

    /// <summary>Receives and discards up to <paramref name="count"/> datagrams without allocating.</summary>
    public int Drain(int count, TimeSpan quiet, Span<byte> buffer, SocketAddress from)
    {
        var received = 0;
        while (received < count && _socket.Poll(quiet, SelectMode.SelectRead))
        {
            _socket.ReceiveFrom(buffer, SocketFlags.None, from);
            received++;
        }

        return received;
    }

    public void Dispose() => _socket.Dispose();
}
