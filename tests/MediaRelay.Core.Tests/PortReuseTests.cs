using MediaRelay.Core.Api;

namespace MediaRelay.Core.Tests;

/// <summary>
/// A freed port pair keeps its sockets for the reuse time: the next call that takes it binds nothing, what arrives
/// meanwhile is dropped, and the sweep closes what nobody took.
/// </summary>
public sealed class PortReuseTests
{
    // Two pairs: one call's worth, so the next call can only take the ports the last one freed.
    private static RelayOptions OneCall(TimeSpan? reuse = null) =>
        new() { PortMin = 40000, PortMax = 40003, PortReuse = reuse ?? TimeSpan.FromSeconds(2) };

    [Fact]
    public void The_next_call_takes_the_freed_pairs_without_binding_and_the_old_calls_late_packets_are_not_its_own()
    {
        using var relay = new RelayHarness(OneCall()).Call();
        var ports = new[] { relay.FacingCaller.RtpPort, relay.FacingCallee.RtpPort };
        relay.Manager.Remove(RelayHarness.CallId);
        var binds = relay.Transport.BindAttempts;
        Assert.Equal(4, relay.Transport.OpenSockets);
        Assert.Equal(0, relay.Manager.Totals.PortsInUse);

        // A late packet of the ended call: nobody is attached, so nothing is sent.
        relay.FromCaller(Packets.Rtp(1), Packets.Ep("203.0.113.7", 31000));
        Assert.Empty(relay.Transport.TakeSent());

        relay.Call();
        Assert.Equal(binds, relay.Transport.BindAttempts);
        Assert.Equal(ports.Order(), new[] { relay.FacingCaller.RtpPort, relay.FacingCallee.RtpPort }.Order());
        Assert.Equal(4, relay.Transport.OpenSockets);
        Assert.Equal(4, relay.Manager.Totals.PortsInUse);
        Assert.Equal(0, relay.Stream.Caller.Rtp.Errors + relay.Stream.Callee.Rtp.Errors);

        // And the new call relays through them.
        relay.FromCaller(Packets.Rtp(2), Packets.Ep("203.0.113.7", 31000));
        relay.FromCallee(Packets.Rtp(3), Packets.Ep("198.51.100.9", 42000));
        Assert.Contains(relay.Transport.TakeSent(), s => s.To.Equals(Packets.Ep("203.0.113.7", 31000)));
        Assert.Equal(1, relay.Stream.Caller.Rtp.Packets);
    }

    [Fact]
    public void The_sweep_closes_pairs_nobody_took_within_the_reuse_time_and_then_rests()
    {
        using var relay = new RelayHarness(OneCall()).Call();
        relay.Manager.Remove(RelayHarness.CallId);

        relay.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(4, relay.Transport.OpenSockets);
        relay.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, relay.Transport.OpenSockets);

        // Closed pairs are still in the pool: the next call binds them again.
        var binds = relay.Transport.BindAttempts;
        relay.Call();
        Assert.Equal(binds + 4, relay.Transport.BindAttempts);
        Assert.Equal(4, relay.Transport.OpenSockets);
    }

    [Fact]
    public void A_reuse_time_of_zero_closes_the_sockets_at_once()
    {
        using var relay = new RelayHarness(OneCall(TimeSpan.Zero)).Call();
        relay.Manager.Remove(RelayHarness.CallId);

        Assert.Equal(0, relay.Transport.OpenSockets);
    }

    [Fact]
    public void Running_short_of_descriptors_gives_up_the_kept_sockets_first()
    {
        using var relay = new RelayHarness(new RelayOptions { PortMin = 40000, PortMax = 40099 }).Call();
        relay.Manager.Remove(RelayHarness.CallId);
        Assert.Equal(4, relay.Transport.OpenSockets);
        // Room for four sockets only, all held by the parked pairs; the next pairs in the queue are unbound ones.
        relay.Transport.DescriptorLimit = 4;

        Assert.Equal(SessionError.None, relay.Manager.Offer("next", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out _));
        Assert.Equal(4, relay.Transport.OpenSockets);
        Assert.Equal(4, relay.Manager.Totals.PortsInUse);
    }

    [Fact]
    public void Kept_sockets_count_against_the_media_socket_budget_and_are_given_up_first()
    {
        using var relay = new RelayHarness(new RelayOptions { PortMin = 40000, PortMax = 40099, MaxMediaSockets = 8 });
        relay.Call();
        Assert.Equal(SessionError.None, relay.Manager.Offer("second", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out _));
        relay.Manager.Remove(RelayHarness.CallId);
        Assert.Equal(8, relay.Transport.OpenSockets); // 4 in use, 4 kept

        Assert.Equal(SessionError.None, relay.Manager.Offer("third", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out _));

        Assert.Equal(8, relay.Transport.OpenSockets);
        Assert.Equal(8, relay.Manager.Totals.PortsInUse);
    }

    [Fact]
    public void An_ended_streams_counters_stay_as_they_were_when_its_ports_are_kept_and_taken_again()
    {
        // The video stream ends with a re-offer; the call goes on, and its ports are kept for reuse.
        using var relay = new RelayHarness(new RelayOptions { PortMin = 40000, PortMax = 40007 });
        Assert.Equal(SessionError.None, relay.Manager.Offer("c", "a", null,
            [RelayHarness.Audio(RelayHarness.CallerSdp), new MediaDescription("video", RelayHarness.CallerSdp.Address, 5002)], null, out var offered));
        Assert.Equal(SessionError.None, relay.Manager.Offer("c", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out _));
        var video = relay.Manager.Query("c")!.Streams[1];
        Assert.Equal(EndReason.Closed, video.EndReason);

        // A late packet to a kept port, then another call takes the ports and its own strays arrive on them.
        relay.Transport.Deliver(offered[1].RtpPort, Packets.Rtp(1), Packets.Ep("203.0.113.7", 31000));
        Assert.Equal(SessionError.None, relay.Manager.Offer("other", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out var other));
        Assert.Contains(other[0].RtpPort, new[] { offered[1].RtpPort, offered[1].RtpPort + 2 });
        relay.Transport.Deliver(other[0].RtpPort, Packets.Rtp(2), Packets.Ep("203.0.113.8", 31000));

        var after = relay.Manager.Query("c")!.Streams[1];
        Assert.Equal(video.Caller.Rtp.Errors + video.Callee.Rtp.Errors, after.Caller.Rtp.Errors + after.Callee.Rtp.Errors);
    }

    [Fact]
    public void Interfaces_that_bind_one_address_close_freed_pairs_so_neither_blocks_the_other()
    {
        var inside = new RelayInterface("internal", System.Net.IPAddress.Parse("10.0.0.5"));
        var outside = new RelayInterface("external", System.Net.IPAddress.Parse("10.0.0.5"), System.Net.IPAddress.Parse("203.0.113.10"));
        using var relay = new RelayHarness(new RelayOptions { Interfaces = [inside, outside], PortMin = 40000, PortMax = 40003 });
        Assert.Equal(SessionError.None, relay.Manager.Offer("c1", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out _,
            new MediaPlacement("internal", "internal")));
        relay.Manager.Remove("c1");
        Assert.Equal(0, relay.Transport.OpenSockets);

        Assert.Equal(SessionError.None, relay.Manager.Offer("c2", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out _,
            new MediaPlacement("external", "external")));
    }

    [Fact]
    public void Stopping_the_relay_closes_the_kept_sockets()
    {
        var relay = new RelayHarness(OneCall()).Call();
        relay.Manager.Remove(RelayHarness.CallId);
        Assert.Equal(4, relay.Transport.OpenSockets);

        relay.Dispose();

        Assert.Equal(0, relay.Transport.OpenSockets);
    }
}
