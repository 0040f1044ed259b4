using MediaRelay.Core.Api;
using static MediaRelay.Core.Tests.Packets;

namespace MediaRelay.Core.Tests;

public sealed class LatchingTests
{
    private static readonly System.Net.IPEndPoint CallerNat = Ep("203.0.113.7", 31000);
    private static readonly System.Net.IPEndPoint CalleeNat = Ep("198.51.100.9", 42000);

    [Fact]
    public void Offer_and_answer_give_even_rtp_ports_with_rtcp_next_and_distinct_per_side()
    {
        using var relay = new RelayHarness().Call();
        Assert.Equal(0, relay.FacingCallee.RtpPort % 2);
        Assert.Equal(relay.FacingCallee.RtpPort + 1, relay.FacingCallee.RtcpPort);
        Assert.Equal(0, relay.FacingCaller.RtpPort % 2);
        Assert.NotEqual(relay.FacingCaller.RtpPort, relay.FacingCallee.RtpPort);
        Assert.Equal(4, relay.Transport.OpenSockets);
    }

    [Fact]
    public void Before_learning_packets_go_to_the_sdp_address_from_the_port_advertised_to_the_receiver()
    {
        using var relay = new RelayHarness().Call();
        var packet = Rtp(1);
        relay.FromCaller(packet, CallerNat);

        var sent = Assert.Single(relay.Transport.TakeSent());
        Assert.Equal(relay.FacingCallee.RtpPort, sent.FromPort);
        Assert.Equal(RelayHarness.CalleeSdp, sent.To);
        Assert.Equal(packet, sent.Data);
    }

    [Fact]
    public void Learned_address_replaces_the_sdp_address_for_the_way_back()
    {
        using var relay = new RelayHarness().Call();
        relay.FromCaller(Rtp(1), CallerNat);
        relay.FromCallee(Rtp(2), CalleeNat);
        relay.Transport.TakeSent();

        relay.FromCallee(Rtp(3), CalleeNat);
        var sent = Assert.Single(relay.Transport.TakeSent());
        Assert.Equal(CallerNat, sent.To);
        Assert.Equal(relay.FacingCaller.RtpPort, sent.FromPort);
        Assert.Equal(CallerNat, relay.Stream.Caller.Rtp.LearnedRemote);
        Assert.Equal(CalleeNat, relay.Stream.Callee.Rtp.LearnedRemote);
    }

    [Fact]
    public void A_third_source_never_takes_over_a_learned_remote_and_is_counted()
    {
        using var relay = new RelayHarness().Call();
        relay.FromCaller(Rtp(1), CallerNat);
        relay.Clock.Advance(TimeSpan.FromSeconds(5));
        relay.Transport.TakeSent();

        relay.FromCaller(Rtp(2), Ep("192.0.2.66", 4444));
        Assert.Empty(relay.Transport.TakeSent());
        Assert.Equal(CallerNat, relay.Stream.Caller.Rtp.LearnedRemote);
        Assert.Equal(1, relay.Stream.Caller.Rtp.Errors);
        Assert.Equal(1, relay.Stream.Caller.Rtp.Packets);
    }

    [Fact]
    public void During_the_latch_window_a_source_matching_the_sdp_wins_over_one_that_does_not()
    {
        using var relay = new RelayHarness().Call();
        relay.FromCaller(Rtp(1), Ep("192.0.2.66", 4444));
        relay.FromCaller(Rtp(2), Ep("10.0.0.1", 5000));
        Assert.Equal(RelayHarness.CallerSdp, relay.Stream.Caller.Rtp.LearnedRemote);

        // And the attacker cannot take it back.
        relay.FromCaller(Rtp(3), Ep("192.0.2.66", 4444));
        Assert.Equal(RelayHarness.CallerSdp, relay.Stream.Caller.Rtp.LearnedRemote);
        Assert.Equal(1, relay.Stream.Caller.Rtp.Errors);
    }

    [Fact]
    public void The_answer_reopens_the_latch_window_on_the_caller_side_too()
    {
        using var relay = new RelayHarness();
        var callerPublic = System.Net.IPAddress.Parse("203.0.113.7");
        relay.Manager.Offer(RelayHarness.CallId, "tagA", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], callerPublic, out _);
        relay.Clock.Advance(TimeSpan.FromSeconds(10)); // the callee's phone rings
        relay.Manager.Answer(RelayHarness.CallId, "tagA", "tagB", [RelayHarness.Audio(RelayHarness.CalleeSdp)], null, out var toCaller);

        // An attacker spraying the port range gets there first; the real caller (its SIP source IP) still wins.
        relay.Transport.Deliver(toCaller[0].RtpPort, Rtp(1), Ep("192.0.2.66", 4444));
        relay.Transport.Deliver(toCaller[0].RtpPort, Rtp(2), CallerNat);

        Assert.Equal(CallerNat, relay.Manager.Query(RelayHarness.CallId)!.Streams[0].Caller.Rtp.LearnedRemote);
    }

    [Fact]
    public void Reinvite_behind_the_same_nat_mapping_opens_no_gap()
    {
        using var relay = new RelayHarness().Call();
        relay.FromCaller(Rtp(1), CallerNat);
        relay.Clock.Advance(TimeSpan.FromSeconds(30));

        // New SDP from the caller with a new private address; its NAT mapping stays the same.
        Assert.Equal(SessionError.None, relay.Manager.Offer(RelayHarness.CallId, "tagA", "tagB",
            [RelayHarness.Audio(Ep("10.0.0.50", 7000))], null, out _));
        relay.Transport.TakeSent();
        for (ushort i = 2; i < 12; i++)
        {
            relay.FromCaller(Rtp(i), CallerNat);
            relay.Clock.Advance(TimeSpan.FromMilliseconds(20));
        }

        Assert.Equal(10, relay.Transport.TakeSent().Count);
        Assert.Equal(0, relay.Stream.Caller.Rtp.Errors);
    }

    [Fact]
    public void Reinvite_from_a_moved_phone_learns_the_new_source_and_drops_the_obsolete_one()
    {
        using var relay = new RelayHarness().Call();
        relay.FromCaller(Rtp(1), CallerNat);
        relay.Clock.Advance(TimeSpan.FromSeconds(30));
        // The phone moved with its signalling: the re-INVITE comes from its new public address (received-from).
        relay.Manager.Offer(RelayHarness.CallId, "tagA", "tagB", [RelayHarness.Audio(Ep("10.9.9.9", 7000))],
            System.Net.IPAddress.Parse("203.0.113.200"), out _);
        relay.Transport.TakeSent();

        var moved = Ep("203.0.113.200", 50000);
        relay.FromCaller(Rtp(2), CallerNat); // old path still relayed until the new one appears
        relay.FromCaller(Rtp(3), moved);
        relay.FromCaller(Rtp(4), CallerNat); // now obsolete: dropped
        relay.FromCaller(Rtp(5), moved);

        Assert.Equal(3, relay.Transport.TakeSent().Count);
        Assert.Equal(moved, relay.Stream.Caller.Rtp.LearnedRemote);
        Assert.Equal(1, relay.Stream.Caller.Rtp.Errors);
    }

    [Fact]
    public void Reoffer_with_the_same_address_keeps_ports_and_the_learned_remote()
    {
        using var relay = new RelayHarness().Call();
        relay.FromCaller(Rtp(1), CallerNat);
        relay.Clock.Advance(TimeSpan.FromSeconds(5));
        relay.Manager.Offer(RelayHarness.CallId, "tagA", "tagB", [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out var again);

        Assert.Equal(relay.FacingCallee.RtpPort, again[0].RtpPort);
        relay.FromCaller(Rtp(2), Ep("192.0.2.66", 4444));
        Assert.Equal(CallerNat, relay.Stream.Caller.Rtp.LearnedRemote);
        Assert.Equal(4, relay.Transport.OpenSockets);
    }

    [Fact]
    public void Rtcp_learns_only_from_the_ip_its_rtp_flow_learned()
    {
        using var relay = new RelayHarness().Call();
        relay.FromCaller(Rtp(1), CallerNat);
        relay.Transport.Deliver(relay.FacingCaller.RtcpPort, Rtcp(), Ep("192.0.2.66", 31001));
        relay.Transport.Deliver(relay.FacingCaller.RtcpPort, Rtcp(), Ep("203.0.113.7", 31001));

        Assert.Equal(Ep("203.0.113.7", 31001), relay.Stream.Caller.Rtcp.LearnedRemote);
        Assert.Equal(1, relay.Stream.Caller.Rtcp.Errors);
        Assert.Equal(1, relay.Stream.Caller.Rtcp.Packets);
    }

    [Fact]
    public void Strict_mode_accepts_only_the_sdp_address()
    {
        using var relay = new RelayHarness(new RelayOptions { PortMin = 40000, PortMax = 40099, StrictSource = true }).Call();
        relay.FromCaller(Rtp(1), CallerNat);
        relay.FromCaller(Rtp(2), RelayHarness.CallerSdp);

        Assert.Equal(1, relay.Stream.Caller.Rtp.Errors);
        Assert.Equal(1, relay.Stream.Caller.Rtp.Packets);
        Assert.Equal(RelayHarness.CallerSdp, relay.Stream.Caller.Rtp.LearnedRemote);
    }

    [Fact]
    public void Malformed_packets_are_counted_and_dropped_without_learning()
    {
        using var relay = new RelayHarness().Call();
        relay.FromCaller([0x00, 0x01, 0x02], CallerNat);
        relay.FromCaller(new byte[] { 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, CallerNat);
        relay.FromCaller([], CallerNat);

        Assert.Empty(relay.Transport.TakeSent());
        Assert.Equal(3, relay.Stream.Caller.Rtp.Errors);
        Assert.Null(relay.Stream.Caller.Rtp.LearnedRemote);
        relay.FromCaller(Rtp(1), CallerNat);
        Assert.Single(relay.Transport.TakeSent());
    }

    [Fact]
    public void Codec_and_first_media_time_come_from_the_first_rtp_packet()
    {
        using var relay = new RelayHarness().Call();
        relay.Clock.Advance(TimeSpan.FromSeconds(3));
        var expected = relay.Clock.GetUtcNow();
        relay.FromCallee(Rtp(1, payloadType: 8), CalleeNat);
        relay.FromCaller(Rtp(1, payloadType: 0), CallerNat);

        Assert.Equal("PCMA", relay.Stream.Codec);
        Assert.Equal(expected, relay.Stream.FirstMedia);
    }
}
