using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Forwarding;
using MediaRelay.Transport.Kernel;

namespace MediaRelay.Transport.Tests;

/// <summary>
/// The eBPF backend against the real kernel on this host's loopback (root only; skipped otherwise): a direction
/// installed in the map is forwarded by the program and counted, and the batched counter read finds it among many.
/// </summary>
public sealed class BpfKernelBackendTests
{
    [Fact]
    public void An_installed_direction_is_forwarded_on_lo_and_the_batched_read_counts_it_among_many()
    {
        if (Environment.UserName != "root")
        {
            return; // needs CAP_BPF and CAP_NET_ADMIN; the namespace tests say so in their skip message
        }

        using var backend = BpfKernelBackend.TryCreate(["lo"], 61999, null, out var reason);
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
    }

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static IPEndPoint EndPoint(Socket socket) => (IPEndPoint)socket.LocalEndPoint!;
}
