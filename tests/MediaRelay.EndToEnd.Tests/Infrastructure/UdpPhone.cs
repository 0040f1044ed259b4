using System.Net;
using System.Net.Sockets;

namespace MediaRelay.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A phone (or an attacker): one UDP socket, by default on a loopback address and an ephemeral port (outside every
/// relay range of the tests), which sends to relay ports and collects what arrives. Threading: one test thread.
/// </summary>
internal sealed class UdpPhone : IDisposable
{
    private readonly Socket _socket;
    private readonly IPAddress _relay;

    /// <summary>A socket on <paramref name="address"/>:<paramref name="port"/> that sends to <paramref name="relay"/> (default 127.0.0.1).</summary>
    public UdpPhone(string address = "127.0.0.1", int port = 0, string? relay = null)
    {
        var ip = IPAddress.Parse(address);
        _relay = relay is null ? IPAddress.Loopback : IPAddress.Parse(relay);
        _socket = new Socket(ip.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.ReceiveBufferSize = 1 << 20;
        _socket.Bind(new IPEndPoint(ip, port));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint EndPoint { get; }

    public void SendTo(byte[] packet, int relayPort) => _socket.SendTo(packet, new IPEndPoint(_relay, relayPort));

    /// <summary>
    /// Sends to any address from this phone's socket; false when the network refuses at once (no route: ENETUNREACH),
    /// which a test of unreachable addresses counts as not delivered.
    /// </summary>
    public bool TrySendTo(byte[] packet, IPEndPoint destination)
    {
        try
        {
            _socket.SendTo(packet, destination);
            return true;
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.NetworkUnreachable or SocketError.HostUnreachable)
        {
            return false;
        }
    }

    /// <summary>Every datagram that arrives until nothing came for <paramref name="quiet"/>.</summary>
    public List<(byte[] Data, IPEndPoint From)> Drain(TimeSpan quiet)
    {
        var received = new List<(byte[], IPEndPoint)>();
        var buffer = new byte[65536];
        while (_socket.Poll(quiet, SelectMode.SelectRead))
        {
            EndPoint from = new IPEndPoint(EndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            var length = _socket.ReceiveFrom(buffer, ref from);
            received.Add((buffer[..length], (IPEndPoint)from));
        }

        return received;
    }

    /// <summary>The next datagram, or null when none came within <paramref name="timeout"/>.</summary>
    public (byte[] Data, IPEndPoint From)? ReceiveOne(TimeSpan timeout)
    {
        if (!_socket.Poll(timeout, SelectMode.SelectRead))
        {
            return null;
        }

        var buffer = new byte[65536];
        EndPoint from = new IPEndPoint(EndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var length = _socket.ReceiveFrom(buffer, ref from);
        return (buffer[..length], (IPEndPoint)from);
    }

    /// <summary>An RTP packet (RFC 3550: V=2, PT 0) with <paramref name="sequence"/> and 160 payload bytes.</summary>
    public static byte[] Rtp(ushort sequence, uint ssrc)
    {
        var packet = new byte[172];
        packet[0] = 0x80;
        packet[2] = (byte)(sequence >> 8);
        packet[3] = (byte)sequence;
        packet[8] = (byte)(ssrc >> 24);
        packet[9] = (byte)(ssrc >> 16);
        packet[10] = (byte)(ssrc >> 8);
        packet[11] = (byte)ssrc;
        return packet;
    }

    /// <summary>An RTCP receiver report with no report blocks (RFC 3550 section 6.4.2).</summary>
    public static byte[] Rtcp(uint ssrc) => [0x80, 201, 0, 1, (byte)(ssrc >> 24), (byte)(ssrc >> 16), (byte)(ssrc >> 8), (byte)ssrc];

    public void Dispose() => _socket.Dispose();
}
