using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;
using MediaRelay.Transport.Udp;

namespace MediaRelay.Transport.Tests;

/// <summary>What the loop-based transports (epoll and io_uring) promise beyond relaying.</summary>
public abstract class LoopTransportTests(TransportKind kind)
{
    private IDisposable NewTransport(out IPacketTransport transport)
    {
        transport = LoopbackRelay.Create(kind, new UdpTransportOptions(), loops: 1);
        return (IDisposable)transport;
    }

    [Fact]
    public void A_handler_that_throws_does_not_stop_the_loop_or_its_other_sockets()
    {
        using var owner = NewTransport(out var transport);
        var faulty = new Receiver(throwFirst: true);
        var healthy = new Receiver(throwFirst: false);
        using var first = transport.TryBind(new IPEndPoint(IPAddress.Loopback, 0), faulty)!;
        using var second = transport.TryBind(new IPEndPoint(IPAddress.Loopback, 0), healthy)!;
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        sender.SendTo(Rtp.Packet(1, 1), first.LocalEndPoint);
        sender.SendTo(Rtp.Packet(2, 1), first.LocalEndPoint);
        sender.SendTo(Rtp.Packet(3, 1), second.LocalEndPoint);

        RelayLoopbackTests.WaitFor(() => faulty.Count == 2 && healthy.Count == 1);
        Assert.Equal(2, faulty.Count);
        Assert.Equal(1, healthy.Count);
    }

    [Fact]
    public void A_closed_socket_frees_its_port_for_a_new_bind()
    {
        using var owner = NewTransport(out var transport);
        var socket = transport.TryBind(new IPEndPoint(IPAddress.Loopback, 0), new Receiver(false))!;
        var port = socket.LocalEndPoint.Port;
        socket.Dispose();

        IRelaySocket? again = null;
        RelayLoopbackTests.WaitFor(() => (again = transport.TryBind(new IPEndPoint(IPAddress.Loopback, port), new Receiver(false))) is not null);
        Assert.Equal(port, again!.LocalEndPoint.Port);
        again.Dispose();
    }

    private sealed class Receiver(bool throwFirst) : IPacketReceiver
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void OnPacket(ReadOnlySpan<byte> packet, SocketAddress source)
        {
            if (Interlocked.Increment(ref _count) == 1 && throwFirst)
            {
                throw new InvalidOperationException("a bug in packet handling");
            }
        }
    }
}

public sealed class EpollTransportTests() : LoopTransportTests(TransportKind.Epoll);

public sealed class IoUringTransportTests() : LoopTransportTests(TransportKind.IoUring);
