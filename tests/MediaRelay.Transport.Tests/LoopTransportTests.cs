using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;
using MediaRelay.Transport.Udp;

namespace MediaRelay.Transport.Tests;

/// <summary>What the loop-based transports (epoll and io_uring) promise beyond relaying.</summary>
public abstract class LoopTransportTests(TransportKind kind)
{
    private IDisposable NewTransport(out IPacketTransport transport, int loops = 1)
    {
        transport = LoopbackRelay.Create(kind, new UdpTransportOptions(), loops);
        return (IDisposable)transport;
    }

    /// <summary>A socket on an ephemeral port that the transport shards to <paramref name="loop"/> of two.</summary>
    private static IRelaySocket BindOnLoop(IPacketTransport transport, int loop, IPacketReceiver receiver)
    {
        for (var attempt = 0; attempt < 64; attempt++)
        {
            var socket = transport.TryBind(new IPEndPoint(IPAddress.Loopback, 0), receiver, out _)!;
            if (socket.LocalEndPoint.Port / 2 % 2 == loop)
            {
                return socket;
            }

            socket.Dispose();
        }

        throw new InvalidOperationException("no ephemeral port landed on loop " + loop);
    }

    [Fact]
    public void A_datagram_longer_than_the_largest_relayed_is_counted_and_dropped_and_the_port_keeps_working()
    {
        var transport = LoopbackRelay.Create(kind, new UdpTransportOptions { MaxDatagramSize = 64 }, loops: 1);
        using var owner = (IDisposable)transport;
        var receiver = new Receiver(false);
        using var socket = transport.TryBind(new IPEndPoint(IPAddress.Loopback, 0), receiver, out _)!;
        using var phone = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        phone.SendTo(new byte[100], socket.LocalEndPoint);
        phone.SendTo(new byte[50], socket.LocalEndPoint);

        RelayLoopbackTests.WaitFor(() => receiver.Count == 1 && Truncated(transport) == 1);
        Assert.Equal(1, receiver.Count);
        Assert.Equal(50, receiver.LastLength);
        Assert.Equal(1, Truncated(transport));
    }

    private static long Truncated(IPacketTransport transport) => transport switch
    {
        Epoll.EpollTransport epoll => epoll.Truncated,
        IoUring.IoUringTransport uring => uring.Truncated,
        _ => throw new ArgumentException("not a loop transport", nameof(transport)),
    };

    [Fact]
    public void Closing_a_socket_that_another_loop_just_sent_from_does_not_stall_its_own_loop()
    {
        using var owner = NewTransport(out var transport, loops: 2);
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var outgoing = BindOnLoop(transport, 0, new Receiver(false));
        var forwarder = new Forwarder(outgoing, ((IPEndPoint)sink.LocalEndPoint!).Serialize());
        using var incoming = BindOnLoop(transport, 1, forwarder);
        var neighbour = new Receiver(false);
        using var sameLoop = BindOnLoop(transport, 0, neighbour);
        using var phone = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        phone.SendTo(Rtp.Packet(1, 1), incoming.LocalEndPoint); // loop 1 relays it out of loop 0's socket
        var buffer = new byte[2048];
        sink.ReceiveTimeout = 5000;
        Assert.Equal(Rtp.Packet(1, 1).Length, sink.Receive(buffer));
        outgoing.Dispose(); // loop 1 has gone quiet since
        phone.SendTo(Rtp.Packet(2, 1), sameLoop.LocalEndPoint);

        RelayLoopbackTests.WaitFor(() => neighbour.Count == 1);
        Assert.Equal(1, neighbour.Count);
    }

    [Fact]
    public async Task Dispose_returns_promptly_after_packets_were_relayed_across_loops()
    {
        var owner = NewTransport(out var transport, loops: 2);
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var outgoing = BindOnLoop(transport, 0, new Receiver(false));
        var incoming = BindOnLoop(transport, 1, new Forwarder(outgoing, ((IPEndPoint)sink.LocalEndPoint!).Serialize()));
        using var phone = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        phone.SendTo(Rtp.Packet(1, 1), incoming.LocalEndPoint);
        sink.ReceiveTimeout = 5000;
        Assert.True(sink.Receive(new byte[2048]) > 0);

        var disposing = Task.Run(owner.Dispose);
        var first = await Task.WhenAny(disposing, Task.Delay(TimeSpan.FromSeconds(5)));

        Assert.True(first == disposing, "the transport did not stop within 5 s");
    }

    [Fact]
    public void A_socket_disposed_after_its_transport_is_closed_quietly_and_touches_no_other_descriptor()
    {
        var owner = NewTransport(out var transport);
        var socket = transport.TryBind(new IPEndPoint(IPAddress.Loopback, 0), new Receiver(false), out _)!;
        owner.Dispose();
        var directory = Directory.CreateTempSubdirectory("mediarelay-late-");
        var files = new List<FileStream>();
        try
        {
            // Descriptors the transport closed are handed out again: none of these files may receive a byte.
            for (var i = 0; i < 8; i++)
            {
                files.Add(new FileStream(Path.Combine(directory.FullName, i + ".bin"), FileMode.Create, FileAccess.Write, FileShare.ReadWrite));
            }

            socket.Dispose();

            Assert.All(files, file => Assert.Equal(0, new FileInfo(file.Name).Length));
        }
        finally
        {
            files.ForEach(file => file.Dispose());
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_handler_that_throws_does_not_stop_the_loop_or_its_other_sockets()
    {
        using var owner = NewTransport(out var transport);
        var faulty = new Receiver(throwFirst: true);
        var healthy = new Receiver(throwFirst: false);
        using var first = transport.TryBind(new IPEndPoint(IPAddress.Loopback, 0), faulty, out _)!;
        using var second = transport.TryBind(new IPEndPoint(IPAddress.Loopback, 0), healthy, out _)!;
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
        var socket = transport.TryBind(new IPEndPoint(IPAddress.Loopback, 0), new Receiver(false), out _)!;
        var port = socket.LocalEndPoint.Port;
        socket.Dispose();

        IRelaySocket? again = null;
        RelayLoopbackTests.WaitFor(() => (again = transport.TryBind(new IPEndPoint(IPAddress.Loopback, port), new Receiver(false), out _)) is not null);
        Assert.Equal(port, again!.LocalEndPoint.Port);
        again.Dispose();
    }

    /// <summary>Relays every packet out of another relay socket, as a session does.</summary>
    private sealed class Forwarder(IRelaySocket outgoing, SocketAddress destination) : IPacketReceiver
    {
        public void OnPacket(ReadOnlySpan<byte> packet, SocketAddress source) => outgoing.Send(packet, destination);
    }

    private sealed class Receiver(bool throwFirst) : IPacketReceiver
    {
        private int _count;
        private int _lastLength;

        public int Count => Volatile.Read(ref _count);

        public int LastLength => Volatile.Read(ref _lastLength);

        public void OnPacket(ReadOnlySpan<byte> packet, SocketAddress source)
        {
            Volatile.Write(ref _lastLength, packet.Length);
            if (Interlocked.Increment(ref _count) == 1 && throwFirst)
            {
                throw new InvalidOperationException("a bug in packet handling");
            }
        }
    }
}

public sealed class EpollTransportTests() : LoopTransportTests(TransportKind.Epoll);

public sealed class IoUringTransportTests() : LoopTransportTests(TransportKind.IoUring);
