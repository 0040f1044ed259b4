using MediaRelay.Core.Api;
using static MediaRelay.Core.Tests.Packets;

namespace MediaRelay.Core.Tests;

public sealed class TimeoutTests
{
    private static readonly System.Net.IPEndPoint CallerNat = Ep("203.0.113.7", 31000);
    private static readonly System.Net.IPEndPoint CalleeNat = Ep("198.51.100.9", 42000);

    [Fact]
    public void A_stream_silent_both_ways_expires_as_no_traffic_timeout_with_its_silence()
    {
        using var relay = new RelayHarness().Call();
        relay.FromCaller(Rtp(1), CallerNat);
        relay.Clock.Advance(TimeSpan.FromSeconds(89));
        Assert.Empty(relay.Ended);

        relay.Clock.Advance(TimeSpan.FromSeconds(2));
        var ended = Assert.Single(relay.Ended);
        Assert.Equal(EndReason.NoTrafficTimeout, ended.EndReason);
        Assert.InRange(ended.TimeoutWait.TotalSeconds, 90, 91);
        Assert.Equal(1, ended.Streams[0].Caller.Rtp.Packets);
        Assert.Null(relay.Manager.Query(RelayHarness.CallId));
        Assert.Equal(0, relay.Manager.Totals.PortsInUse);
        relay.PassPortReuse();
        Assert.Equal(0, relay.Transport.OpenSockets);
    }

    [Fact]
    public void One_way_media_keeps_the_stream_alive_past_the_timeout()
    {
        using var relay = new RelayHarness().Call();
        for (var second = 0; second < 300; second++)
        {
            relay.FromCaller(Rtp((ushort)second), CallerNat);
            relay.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Empty(relay.Ended);
        Assert.Equal(300, relay.Stream.Caller.Rtp.Packets);
        Assert.Equal(0, relay.Stream.Callee.Rtp.Packets);
    }

    [Fact]
    public void Hold_switches_to_the_on_hold_timeout_measured_as_silence()
    {
        using var relay = new RelayHarness().Call(callee: RelayHarness.Audio(RelayHarness.CalleeSdp, MediaDirection.SendOnly));
        relay.Clock.Advance(TimeSpan.FromSeconds(3600));
        Assert.Empty(relay.Ended);

        // Music on hold keeps flowing: the hold timeout is silence, not duration.
        for (var i = 0; i < 10; i++)
        {
            relay.FromCallee(Rtp((ushort)i), CalleeNat);
            relay.Clock.Advance(TimeSpan.FromSeconds(3600));
        }

        Assert.Empty(relay.Ended);
        relay.Clock.Advance(TimeSpan.FromSeconds(3601));
        var ended = Assert.Single(relay.Ended);
        Assert.Equal(EndReason.OnHoldTimeout, ended.EndReason);
    }

    [Fact]
    public void Hold_by_null_address_also_uses_the_on_hold_timeout()
    {
        using var relay = new RelayHarness().Call(caller: new MediaDescription("audio", System.Net.IPAddress.Any, 5000));
        relay.Clock.Advance(TimeSpan.FromSeconds(600));
        Assert.Empty(relay.Ended);
    }

    [Fact]
    public void Ice_on_both_sides_with_no_media_through_the_relay_ends_as_unselected_candidate()
    {
        using var relay = new RelayHarness().Call(
            RelayHarness.Audio(RelayHarness.CallerSdp, ice: true),
            RelayHarness.Audio(RelayHarness.CalleeSdp, ice: true));
        relay.FromCaller(Stun(), CallerNat); // connectivity checks only
        relay.Clock.Advance(TimeSpan.FromSeconds(91));

        var ended = Assert.Single(relay.Ended);
        Assert.Equal(EndReason.UnselectedIceCandidate, ended.EndReason);
        Assert.Equal("unselected ICE candidate", ended.EndReason.ToText());
    }

    [Fact]
    public void Rtcp_silence_only_forgets_the_rtcp_addresses()
    {
        using var relay = new RelayHarness().Call();
        relay.Transport.Deliver(relay.FacingCaller.RtcpPort, Rtcp(), Ep("203.0.113.7", 31001));
        Assert.NotNull(relay.Stream.Caller.Rtcp.LearnedRemote);

        for (var second = 0; second < 100; second++)
        {
            relay.FromCaller(Rtp((ushort)second), CallerNat);
            relay.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Empty(relay.Ended);
        Assert.Null(relay.Stream.Caller.Rtcp.LearnedRemote);
        Assert.Equal(CallerNat, relay.Stream.Caller.Rtp.LearnedRemote);
    }

    [Fact]
    public void Rtcp_learned_between_two_looks_of_the_sweep_is_still_forgotten_a_timeout_after_it_went_silent()
    {
        // The sweep looks at a live call only when something there can be due: RTP keeps this one alive, so after
        // its first look the next is a stream timeout away. RTCP learned in between must not wait for that.
        using var relay = new RelayHarness().Call();
        for (var second = 0; second < 200; second++)
        {
            if (second == 50)
            {
                relay.Transport.Deliver(relay.FacingCaller.RtcpPort, Rtcp(), Ep("203.0.113.7", 31001));
                Assert.NotNull(relay.Stream.Caller.Rtcp.LearnedRemote);
            }

            if (second == 139)
            {
                Assert.NotNull(relay.Stream.Caller.Rtcp.LearnedRemote); // silent 89 s
            }

            if (second == 142)
            {
                Assert.Null(relay.Stream.Caller.Rtcp.LearnedRemote); // silent 92 s: forgotten
            }

            relay.FromCaller(Rtp((ushort)second), CallerNat);
            relay.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Empty(relay.Ended);
    }

    [Fact]
    public void A_silent_video_stream_ends_alone_while_audio_keeps_the_session()
    {
        using var relay = new RelayHarness();
        relay.Manager.Offer(RelayHarness.CallId, "tagA", null,
            [RelayHarness.Audio(RelayHarness.CallerSdp), new MediaDescription("video", RelayHarness.CallerSdp.Address, 5002)], null, out _);
        relay.Manager.Answer(RelayHarness.CallId, "tagA", "tagB",
            [RelayHarness.Audio(RelayHarness.CalleeSdp), new MediaDescription("video", RelayHarness.CalleeSdp.Address, 6002)], null, out var toCaller);
        for (var second = 0; second < 120; second++)
        {
            relay.Transport.Deliver(toCaller[0].RtpPort, Rtp((ushort)second), CallerNat);
            relay.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Empty(relay.Ended);
        var streams = relay.Manager.Query(RelayHarness.CallId)!.Streams;
        Assert.Equal(EndReason.None, streams[0].EndReason);
        Assert.Equal(EndReason.NoTrafficTimeout, streams[1].EndReason);
        Assert.Equal(4, relay.Manager.Totals.PortsInUse); // the ended video stream gave its four ports back
        Assert.Equal(4, relay.Transport.OpenSockets);
    }
}
