using System.Net;
using MediaRelay.Transport.Udp;

namespace MediaRelay.Transport.Tests;

[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public sealed class AllocationCollection;

[Collection(nameof(AllocationCollection))]
public abstract class AllocationTests(TransportKind kind)
{
    private const int Burst = 50_000;

    [Fact]
    public void The_steady_state_packet_path_does_not_allocate()
    {
        using var relay = new LoopbackRelay(kind);
        using var caller = new Phone();
        using var callee = new Phone();
        var (facingCaller, facingCallee) = relay.Call("alloc");
        var packet = Rtp.Packet(1, 1);
        var toRelay = new IPEndPoint(IPAddress.Loopback, facingCaller.RtpPort).Serialize();
        var buffer = new byte[2048];
        var from = new SocketAddress(System.Net.Sockets.AddressFamily.InterNetwork);
        callee.Send(Rtp.Packet(1, 2), facingCallee.RtpPort);

        // Warm up: latching, JIT, tiering, the socket engine's first operations.
        Relay(caller, callee, packet, toRelay, buffer, from, 5_000);
        Thread.Sleep(200);
        Relay(caller, callee, packet, toRelay, buffer, from, 5_000);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var pathBytes = PacketPathAllocations.Bytes;
        var pathPackets = PacketPathAllocations.Packets;
        var received = Relay(caller, callee, packet, toRelay, buffer, from, Burst);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        // The probe closes a packet's measurement after relaying it, so the last one may land just after the phone
        // already has it.
        RelayLoopbackTests.WaitFor(() => PacketPathAllocations.Packets - pathPackets >= received);
        pathBytes = PacketPathAllocations.Bytes - pathBytes;
        pathPackets = PacketPathAllocations.Packets - pathPackets;

        Console.WriteLine($"{kind} packet path: {pathBytes} bytes over {pathPackets} packets; whole process: {allocated} bytes");
        Assert.True(received > Burst * 0.99, $"only {received} of {Burst} packets arrived");
        Assert.True(pathPackets >= received, $"the probe saw {pathPackets} packets, {received} were relayed");

        // Measured on the receive threads from a datagram's arrival to the next receive being issued.
        Assert.Equal(0, pathBytes);
    }

    private static int Relay(Phone caller, Phone callee, byte[] packet, SocketAddress toRelay, byte[] buffer, SocketAddress from, int count)
    {
        var received = 0;
        for (var i = 0; i < count; i++)
        {
            caller.Send(packet, toRelay);
            if (i % 32 == 31)
            {
                received += callee.Drain(32, TimeSpan.FromMilliseconds(200), buffer, from);
            }
        }

        return received + callee.Drain(count - received, TimeSpan.FromMilliseconds(200), buffer, from);
    }
}

[Collection(nameof(AllocationCollection))]
public sealed class SocketsAllocationTests() : AllocationTests(TransportKind.Sockets);

[Collection(nameof(AllocationCollection))]
public sealed class EpollAllocationTests() : AllocationTests(TransportKind.Epoll);

[Collection(nameof(AllocationCollection))]
public sealed class IoUringAllocationTests() : AllocationTests(TransportKind.IoUring);
