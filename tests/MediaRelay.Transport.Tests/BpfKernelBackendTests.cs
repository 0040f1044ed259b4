using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Forwarding;
using MediaRelay.Transport.Kernel;

namespace MediaRelay.Transport.Tests;

/// <summary>
/// The eBPF backend against the real kernel on this host's loopback (root only; skipped otherwise): a direction
/// installed in the map is forwarded by the program and counted in its slot, the counter read (mapped memory) tells
/// it from many others, and a slot handed on starts from zero.
/// </summary>
public sealed class BpfKernelBackendTests
{
    [Fact]
    public void An_installed_direction_is_forwarded_on_lo_and_its_slot_counts_it_among_many()
    {
        if (Environment.UserName != "root")
        {
            return; // needs CAP_BPF and CAP_NET_ADMIN; the namespace tests say so in their skip message
        }

        // 64 slots (the least the backend sizes to): the slots of removed directions are handed on below.
        using var backend = BpfKernelBackend.TryCreate(["lo"], 61999, null, out var reason, maxFlows: 64);
        Assert.True(backend is not null, reason);
        using var phone = Bound();
        using var receiver = Bound();
        using var relayIn = Bound();
        using var relayOut = Bound();
        var live = new KernelFlow(EndPoint(relayIn), EndPoint(phone), EndPoint(relayOut), EndPoint(receiver));
        Assert.True(backend.TryInstall(live));
        var flows = new List<KernelFlow> { live };
        for (var i = 0; i < 20; i++)
        {
            // Directions no packet matches, so that the read has to find the live one among others.
            var idle = new KernelFlow(new IPEndPoint(IPAddress.Loopback, 9), new IPEndPoint(IPAddress.Loopback, 20000 + i),
                new IPEndPoint(IPAddress.Loopback, 9), new IPEndPoint(IPAddress.Loopback, 21000 + i));
            Assert.True(backend.TryInstall(idle));
            flows.Add(idle);
        }

        byte[] rtp = [0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, .. new byte[160]];
        for (var i = 0; i < 5; i++)
        {
            phone.SendTo(rtp, EndPoint(relayIn));
        }

        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(receiver.Poll(TimeSpan.FromSeconds(2), SelectMode.SelectRead), "the kernel did not deliver the packet");
            Assert.Equal(172, receiver.ReceiveFrom(buffer, ref from));
            Assert.Equal(EndPoint(relayOut), from);
        }

        Assert.False(relayIn.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectRead)); // user space saw nothing

        var counters = new (long Packets, long Bytes)[flows.Count];
        backend.Read(flows, counters);
        Assert.Equal((5, 5 * 172), counters[0]);
        Assert.All(counters[1..], c => Assert.Equal((0, 0), c));
        Assert.Equal((5, 5 * 172), backend.Remove(live));

        // Use up every slot (the warm-up probe took one and gave it back): the last takes the live one's old slot,
        // which must read zero for its new direction.
        var more = new List<KernelFlow>();
        for (var port = 22000; ; port++)
        {
            var flow = new KernelFlow(new IPEndPoint(IPAddress.Loopback, 9), new IPEndPoint(IPAddress.Loopback, port),
                new IPEndPoint(IPAddress.Loopback, 9), new IPEndPoint(IPAddress.Loopback, 23000));
            if (!backend.TryInstall(flow))
            {
                break; // every slot in use: the direction stays in user space
            }

            more.Add(flow);
        }

        Assert.Equal(64 - 20, more.Count);
        var again = new (long Packets, long Bytes)[more.Count];
        backend.Read(more, again);
        Assert.All(again, c => Assert.Equal((0, 0), c));
    }

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static IPEndPoint EndPoint(Socket socket) => (IPEndPoint)socket.LocalEndPoint!;
}
