using System.Net;
using MediaRelay.Core.Api;

namespace MediaRelay.Transport.Tests;

/// <summary>The relay over real UDP on loopback; every test runs once per transport.</summary>
public abstract class RelayLoopbackTests(TransportKind kind)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Two_phones_exchange_1000_packets_each_way_byte_identical_from_the_advertised_ports()
    {
        using var relay = new LoopbackRelay(kind);
        using var caller = new Phone();
        using var callee = new Phone();
        var (facingCaller, facingCallee) = relay.Call("c1");

        // The caller's first packet latches it; it goes to the callee's SDP port, where nobody listens.
        caller.Send(Rtp.Packet(0, 0xCA11), facingCaller.RtpPort);
        WaitFor(() => relay.Manager.Query("c1")!.Streams[0].Caller.Rtp.Packets == 1);

        var toCaller = Enumerable.Range(1, 1000).Select(i => Rtp.Packet((ushort)i, 0xCA1E)).ToList();
        var receiving = Task.Run(() => caller.Receive(1000, Quiet));
        foreach (var (packet, i) in toCaller.Select((p, i) => (p, i)))
        {
            callee.Send(packet, facingCallee.RtpPort);
            Pace(i);
        }

        var atCaller = await receiving;

        var toCallee = Enumerable.Range(1, 1000).Select(i => Rtp.Packet((ushort)i, 0xCA11)).ToList();
        receiving = Task.Run(() => callee.Receive(1000, Quiet));
        foreach (var (packet, i) in toCallee.Select((p, i) => (p, i)))
        {
            caller.Send(packet, facingCaller.RtpPort);
            Pace(i);
        }

        var atCallee = await receiving;

        Assert.Equal(1000, atCaller.Count);
        Assert.Equal(1000, atCallee.Count);
        Assert.Equal(toCaller, atCaller.Select(r => r.Data));
        Assert.Equal(toCallee, atCallee.Select(r => r.Data));
        Assert.All(atCaller, r => Assert.Equal(new IPEndPoint(IPAddress.Loopback, facingCaller.RtpPort), r.From));
        Assert.All(atCallee, r => Assert.Equal(new IPEndPoint(IPAddress.Loopback, facingCallee.RtpPort), r.From));

        var stream = relay.Manager.Query("c1")!.Streams[0];
        Assert.Equal(1001, stream.Caller.Rtp.Packets);
        Assert.Equal(1001L * 172, stream.Caller.Rtp.Bytes);
        Assert.Equal(1000, stream.Callee.Rtp.Packets);
        Assert.Equal(1000L * 172, stream.Callee.Rtp.Bytes);
        Assert.Equal(0, stream.Caller.Rtp.Errors + stream.Callee.Rtp.Errors);
        Assert.Equal(caller.EndPoint, stream.Caller.Rtp.LearnedRemote);
        Assert.Equal(callee.EndPoint, stream.Callee.Rtp.LearnedRemote);
        Assert.Equal("PCMU", stream.Codec);
    }

    [Fact]
    public void A_third_address_sending_to_a_latched_port_is_dropped_and_counted()
    {
        using var relay = new LoopbackRelay(kind, o => o.LatchWindow = TimeSpan.Zero);
        using var caller = new Phone();
        using var callee = new Phone();
        using var intruder = new Phone("127.0.0.2");
        var (facingCaller, facingCallee) = relay.Call("c2");
        callee.Send(Rtp.Packet(1, 2), facingCallee.RtpPort);
        WaitFor(() => relay.Manager.Query("c2")!.Streams[0].Callee.Rtp.Packets == 1);
        caller.Send(Rtp.Packet(1, 1), facingCaller.RtpPort);
        Assert.Single(callee.Receive(1, Quiet));

        for (var i = 0; i < 10; i++)
        {
            intruder.Send(Rtp.Packet((ushort)i, 666), facingCaller.RtpPort);
        }

        WaitFor(() => relay.Manager.Query("c2")!.Streams[0].Caller.Rtp.Errors == 10);
        Assert.Empty(callee.Receive(1, TimeSpan.FromMilliseconds(300)));
        var stream = relay.Manager.Query("c2")!.Streams[0];
        Assert.Equal(caller.EndPoint, stream.Caller.Rtp.LearnedRemote);
        Assert.Equal(1, stream.Caller.Rtp.Packets);
    }

    [Fact]
    public void One_way_video_keeps_its_session_past_the_stream_timeout()
    {
        using var relay = new LoopbackRelay(kind, o => o.StreamTimeout = TimeSpan.FromSeconds(1));
        using var caller = new Phone();
        var (facingCaller, _) = relay.Call("video", "video", MediaDirection.RecvOnly);

        // Only the caller sends (the callee has no camera), for three timeouts.
        var until = DateTime.UtcNow.AddMilliseconds(3000);
        ushort sequence = 0;
        while (DateTime.UtcNow < until)
        {
            caller.Send(Rtp.Packet(sequence++, 5), facingCaller.RtpPort);
            Thread.Sleep(20);
        }

        Assert.Empty(relay.Ended.Select(e => e.EndReason.ToText()));
        var stream = relay.Manager.Query("video")!.Streams[0];
        Assert.Equal(EndReason.None, stream.EndReason);
        Assert.True(stream.Caller.Rtp.Packets > 60);
        Assert.Equal(0, stream.Callee.Rtp.Packets);
        Assert.Empty(relay.Ended);
    }

    [Fact]
    public void A_stream_silent_both_ways_expires_with_the_no_traffic_reason_and_frees_its_ports()
    {
        using var relay = new LoopbackRelay(kind, o => o.StreamTimeout = TimeSpan.FromMilliseconds(300));
        var (facingCaller, _) = relay.Call("silent");

        WaitFor(() => relay.Ended.Count == 1);
        var ended = relay.Ended[0];
        Assert.Equal("silent", ended.CallId);
        Assert.Equal(EndReason.NoTrafficTimeout, ended.EndReason);
        Assert.True(ended.TimeoutWait >= TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, relay.Manager.Totals.PortsInUse);

        // The port is really closed once its reuse time has passed: binding it again succeeds.
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        WaitFor(() => TryBind(probe, facingCaller.RtpPort));
    }

    [Fact]
    public void A_call_on_ports_freed_a_moment_ago_relays_through_their_kept_sockets_and_the_old_calls_late_packets_are_dropped()
    {
        // Two pairs: one call. The second call can only have the first one's ports, parked for reuse.
        using var relay = new LoopbackRelay(kind, o => o.PortMax = o.PortMin + 3);
        using var oldCaller = new Phone();
        using var caller = new Phone();
        using var callee = new Phone();
        var (firstFacingCaller, firstFacingCallee) = relay.Call("first");
        relay.Manager.Remove("first");
        Assert.Equal(0, relay.Manager.Totals.PortsInUse);

        // A late packet of the ended call reaches the kept socket and goes nowhere.
        // The relay must have read it before the next call takes the port (a loaded machine may be slow to): one
        // still queued then would be the new call's first packet, which is the race a real relay has too. The wait
        // for the queue comes after the 300 ms, by which the kernel has surely delivered the datagram to the socket.
        oldCaller.Send(Rtp.Packet(1, 0x01D), firstFacingCaller.RtpPort);
        Assert.Empty(callee.Receive(1, TimeSpan.FromMilliseconds(300)));
        WaitFor(() => LoopbackRelay.QueuedAt(firstFacingCaller.RtpPort) == 0);

        var (facingCaller, facingCallee) = relay.Call("second");
        Assert.Equal(
            new[] { firstFacingCaller.RtpPort, firstFacingCallee.RtpPort }.Order(),
            new[] { facingCaller.RtpPort, facingCallee.RtpPort }.Order());
        caller.Send(Rtp.Packet(1, 0xCA11), facingCaller.RtpPort);
        WaitFor(() => relay.Manager.Query("second")!.Streams[0].Caller.Rtp.Packets == 1);
        callee.Send(Rtp.Packet(2, 0xCA1E), facingCallee.RtpPort);
        var atCaller = Assert.Single(caller.Receive(1, Quiet));
        caller.Send(Rtp.Packet(3, 0xCA11), facingCaller.RtpPort);
        var atCallee = Assert.Single(callee.Receive(1, Quiet));

        Assert.Equal(Rtp.Packet(2, 0xCA1E), atCaller.Data);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, facingCaller.RtpPort), atCaller.From);
        Assert.Equal(Rtp.Packet(3, 0xCA11), atCallee.Data);
        var stream = relay.Manager.Query("second")!.Streams[0];
        Assert.Equal(caller.EndPoint, stream.Caller.Rtp.LearnedRemote); // not the old call's phone
        Assert.Equal(2, stream.Caller.Rtp.Packets);
        Assert.Equal(0, stream.Caller.Rtp.Errors + stream.Callee.Rtp.Errors); // the late packet was not this call's
    }

    [Fact]
    public void Pairs_kept_by_an_offer_that_failed_half_way_are_closed_by_the_sweep_on_an_idle_relay()
    {
        // Three pairs: the audio stream takes two, the video stream cannot get its two; no session remains, and the
        // sweep thread, which rests while the relay has no session, must still close the audio pairs in time.
        using var relay = new LoopbackRelay(kind, o =>
        {
            o.PortMax = o.PortMin + 5;
            o.PortReuse = TimeSpan.FromMilliseconds(200);
        });
        var offer = new[]
        {
            new MediaDescription("audio", IPAddress.Loopback, 9),
            new MediaDescription("video", IPAddress.Loopback, 11),
        };
        Thread.Sleep(300); // the sweep has found no session and rests

        Assert.Equal(SessionError.OutOfPorts, relay.Manager.Offer("half", "caller-tag", null, offer, null, out _));

        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        WaitFor(() => TryBind(probe, relay.Options.PortMin + (relay.Options.PortMin & 1)) || TryBind(probe, relay.Options.PortMin + (relay.Options.PortMin & 1) + 2));
    }

    [Fact]
    public void Stun_is_relayed_unchanged_and_not_counted_as_media()
    {
        using var relay = new LoopbackRelay(kind);
        using var caller = new Phone();
        using var callee = new Phone();
        var (facingCaller, facingCallee) = relay.Call("stun");
        callee.Send(Rtp.Packet(1, 2), facingCallee.RtpPort);
        WaitFor(() => relay.Manager.Query("stun")!.Streams[0].Callee.Rtp.Packets == 1);

        var stun = new byte[20];
        MediaRelay.Protocols.Stun.StunMessage.TryWriteBindingRequest(stun, new byte[12]);
        caller.Send(stun, facingCaller.RtpPort);

        var received = Assert.Single(callee.Receive(1, Quiet));
        Assert.Equal(stun, received.Data);
        var stream = relay.Manager.Query("stun")!.Streams[0];
        Assert.Equal(0, stream.Caller.Rtp.Packets);
        Assert.Equal(1, stream.Caller.Rtp.StunPackets);
    }

    [Fact]
    public void Garbage_on_a_media_port_is_counted_and_the_port_keeps_relaying()
    {
        using var relay = new LoopbackRelay(kind);
        using var caller = new Phone();
        using var callee = new Phone();
        var (facingCaller, facingCallee) = relay.Call("garbage");
        callee.Send(Rtp.Packet(1, 2), facingCallee.RtpPort);
        WaitFor(() => relay.Manager.Query("garbage")!.Streams[0].Callee.Rtp.Packets == 1);
        caller.Send([0xFF, 0x00], facingCaller.RtpPort);
        caller.Send(new byte[1400], facingCaller.RtpPort);
        caller.Send(Rtp.Packet(7, 1), facingCaller.RtpPort);

        var received = Assert.Single(callee.Receive(1, Quiet));
        Assert.Equal(Rtp.Packet(7, 1), received.Data);
        Assert.Equal(2, relay.Manager.Query("garbage")!.Streams[0].Caller.Rtp.Errors);
    }

    [Fact]
    public void Ipv6_media_is_relayed_from_ipv6_ports_both_ways()
    {
        using var relay = new LoopbackRelay(kind, o => o.RelayAddressV6 = IPAddress.IPv6Loopback);
        using var caller = new Phone("::1");
        using var callee = new Phone("::1");
        var (facingCaller, facingCallee) = relay.Call("v6", phones: IPAddress.IPv6Loopback);
        Assert.Equal(IPAddress.IPv6Loopback, facingCaller.Address);

        callee.Send(Rtp.Packet(1, 2), facingCallee.RtpPort);
        WaitFor(() => relay.Manager.Query("v6")!.Streams[0].Callee.Rtp.Packets == 1);
        caller.Send(Rtp.Packet(2, 1), facingCaller.RtpPort);
        var atCallee = Assert.Single(callee.Receive(1, Quiet));
        callee.Send(Rtp.Packet(3, 2), facingCallee.RtpPort);
        var atCaller = Assert.Single(caller.Receive(1, Quiet));

        Assert.Equal(Rtp.Packet(2, 1), atCallee.Data);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, facingCallee.RtpPort), atCallee.From);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, facingCaller.RtpPort), atCaller.From);
        Assert.Equal(caller.EndPoint, relay.Manager.Query("v6")!.Streams[0].Caller.Rtp.LearnedRemote);
    }

    internal static void Pace(int i)
    {
        if (i % 25 == 24)
        {
            Thread.Sleep(1);
        }
    }

    private static bool TryBind(System.Net.Sockets.Socket socket, int port)
    {
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    internal static void WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            Thread.Sleep(10);
        }
    }
}

public sealed class SocketsRelayLoopbackTests() : RelayLoopbackTests(TransportKind.Sockets);

public sealed class EpollRelayLoopbackTests() : RelayLoopbackTests(TransportKind.Epoll);

public sealed class IoUringRelayLoopbackTests() : RelayLoopbackTests(TransportKind.IoUring);
