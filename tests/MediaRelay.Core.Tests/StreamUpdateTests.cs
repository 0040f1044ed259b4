using MediaRelay.Core.Api;
using static MediaRelay.Core.Tests.Packets;

namespace MediaRelay.Core.Tests;

/// <summary>
/// The session API's one-stream updates (rtpproxy signals one m-line per command) and its delayed removal
/// (ng's delete delay), on a fake transport and clock.
/// </summary>
public sealed class StreamUpdateTests
{
    private static readonly MediaDescription CallerVideo = new("video", RelayHarness.CallerSdp.Address, 5002);
    private static readonly MediaDescription CalleeVideo = new("video", RelayHarness.CalleeSdp.Address, 6002);

    [Fact]
    public void Streams_offered_one_at_a_time_make_one_call_and_relay_both_ways()
    {
        using var relay = new RelayHarness();
        var api = (ISessionApi)relay.Manager;
        Assert.Equal(SessionError.None, api.OfferStream("c", "tagA", null, 0, RelayHarness.Audio(RelayHarness.CallerSdp), null, out var audioToCallee));
        Assert.Equal(SessionError.None, api.OfferStream("c", "tagA", null, 1, CallerVideo, null, out var videoToCallee));
        Assert.Equal(SessionError.None, api.AnswerStream("c", "tagA", "tagB", 0, RelayHarness.Audio(RelayHarness.CalleeSdp), null, out var audioToCaller));
        Assert.Equal(SessionError.None, api.AnswerStream("c", "tagA", "tagB", 1, CalleeVideo, null, out var videoToCaller));

        Assert.Equal([0, 1], new[] { audioToCallee.Index, videoToCallee.Index });
        Assert.Equal(1, videoToCaller.Index);
        Assert.Equal(8, relay.Manager.Totals.PortsInUse);
        Assert.Equal(["c"], api.ListCallIds());

        // The video stream relays: caller to the callee's video address, from the relay port the callee was given.
        relay.Transport.Deliver(videoToCaller.RtpPort, Rtp(1), Ep("10.0.0.1", 5002));
        var sent = Assert.Single(relay.Transport.TakeSent());
        Assert.Equal(Ep("10.0.0.2", 6002), sent.To);
        Assert.Equal(videoToCallee.RtpPort, sent.FromPort);
        Assert.NotEqual(audioToCaller.RtpPort, videoToCaller.RtpPort);
    }

    [Fact]
    public void Reoffering_one_stream_leaves_the_others_running()
    {
        using var relay = new RelayHarness();
        var api = (ISessionApi)relay.Manager;
        api.Offer("c", "tagA", null, [RelayHarness.Audio(RelayHarness.CallerSdp), CallerVideo], null, out var first);
        api.Answer("c", "tagA", "tagB", [RelayHarness.Audio(RelayHarness.CalleeSdp), CalleeVideo], null, out _);

        // A whole offer listing only the audio would close the video; a one-stream offer of the audio does not.
        Assert.Equal(SessionError.None, api.OfferStream("c", "tagA", "tagB", 0, RelayHarness.Audio(Ep("10.0.0.9", 7000)), null, out var again));

        Assert.Equal(first[0].RtpPort, again.RtpPort);
        var streams = api.Query("c")!.Streams;
        Assert.Equal(2, streams.Count);
        Assert.All(streams, s => Assert.Equal(EndReason.None, s.EndReason));
    }

    [Fact]
    public void A_one_stream_answer_for_a_stream_never_offered_is_refused_and_changes_nothing()
    {
        using var relay = new RelayHarness().Call();
        var api = (ISessionApi)relay.Manager;

        Assert.Equal(SessionError.UnknownCall, api.AnswerStream(RelayHarness.CallId, "tagA", "tagB", 3, CalleeVideo, null, out var relayed));
        Assert.Equal(0, relayed.RtpPort);
        Assert.Equal(SessionError.UnknownCall, api.AnswerStream("nobody", "tagA", "tagB", 0, CalleeVideo, null, out _));
        Assert.Equal(SessionError.TooManyStreams, api.OfferStream(RelayHarness.CallId, "tagA", null, relay.Options.MaxStreams, CallerVideo, null, out _));
        Assert.Single(api.Query(RelayHarness.CallId)!.Streams);
        Assert.Equal(4, relay.Manager.Totals.PortsInUse);
    }

    [Fact]
    public void A_delayed_removal_answers_queries_until_its_delay_and_then_ends_the_call_as_closed()
    {
        using var relay = new RelayHarness().Call();
        var api = (ISessionApi)relay.Manager;

        Assert.NotNull(api.RemoveLater(RelayHarness.CallId, TimeSpan.FromSeconds(30)));
        relay.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.NotNull(api.Query(RelayHarness.CallId));
        Assert.True(api.IsRemovalPending(RelayHarness.CallId));

        relay.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(api.Query(RelayHarness.CallId));
        var ended = Assert.Single(relay.Ended);
        Assert.Equal(EndReason.Closed, ended.EndReason);
        Assert.Equal(0, relay.Manager.Totals.PortsInUse);
    }

    [Fact]
    public void An_offer_during_the_removal_delay_keeps_the_call_and_a_zero_delay_removes_now()
    {
        using var relay = new RelayHarness().Call();
        var api = (ISessionApi)relay.Manager;
        api.RemoveLater(RelayHarness.CallId, TimeSpan.FromSeconds(30));

        api.Offer(RelayHarness.CallId, "tagA", "tagB", [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out _);
        relay.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.NotNull(api.Query(RelayHarness.CallId));
        Assert.Empty(relay.Ended);

        var final = api.RemoveLater(RelayHarness.CallId, TimeSpan.Zero);
        Assert.Equal(EndReason.Closed, final!.EndReason);
        Assert.Null(api.Query(RelayHarness.CallId));
        Assert.Null(api.RemoveLater("nobody", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void The_snapshot_lists_every_running_call_oldest_first()
    {
        using var relay = new RelayHarness();
        var api = (ISessionApi)relay.Manager;
        api.Offer("first", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out _);
        relay.Clock.Advance(TimeSpan.FromSeconds(1));
        api.Offer("second", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out _);

        var all = api.Snapshot();
        Assert.Equal(["first", "second"], all.Select(s => s.CallId));
        Assert.All(all, s => Assert.Equal(EndReason.None, s.EndReason));
    }
}
