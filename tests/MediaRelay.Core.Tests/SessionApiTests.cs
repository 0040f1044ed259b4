using MediaRelay.Core.Api;
using MediaRelay.Core.Model;
using static MediaRelay.Core.Tests.Packets;

namespace MediaRelay.Core.Tests;

public sealed class SessionApiTests
{
    [Fact]
    public void From_and_to_uris_attached_by_a_protocol_reach_the_final_statistics()
    {
        using var relay = new RelayHarness().Call();
        Assert.False(relay.Manager.SetParties("unknown-call", "sip:alice@example.com", null));
        Assert.True(relay.Manager.SetParties(RelayHarness.CallId, "sip:alice@example.com", null));
        Assert.True(relay.Manager.SetParties(RelayHarness.CallId, null, "sip:bob@example.net"));

        Assert.Equal("sip:alice@example.com", relay.Manager.Query(RelayHarness.CallId)!.FromUri);
        var ended = relay.Manager.Remove(RelayHarness.CallId)!;
        Assert.Equal(("sip:alice@example.com", "sip:bob@example.net"), (ended.FromUri, ended.ToUri));
        Assert.Equal(("sip:alice@example.com", "sip:bob@example.net"), (relay.Ended[0].FromUri, relay.Ended[0].ToUri));
    }

    [Fact]
    public void A_drain_started_from_two_places_at_once_is_announced_once_and_refuses_new_calls_only()
    {
        using var relay = new RelayHarness().Call();
        var announced = 0;
        relay.Manager.DrainStarted += () => Interlocked.Increment(ref announced);

        // SIGHUP and the management API's POST /api/drain at the same moment: one drain, one notice to the host.
        Parallel.For(0, 8, _ => relay.Manager.StartDraining());
        relay.Manager.StartDraining();

        Assert.Equal(1, announced);
        Assert.True(relay.Manager.Draining);
        Assert.Equal(SessionError.Draining, relay.Manager.Offer("new-call", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out _));
        Assert.NotNull(relay.Manager.Query(RelayHarness.CallId));
    }

    [Fact]
    public void Running_out_of_ports_half_way_through_a_session_leaks_nothing()
    {
        // 3 pairs: an audio stream takes 2, a video stream would need 2 more.
        using var relay = new RelayHarness(new RelayOptions { PortMin = 40000, PortMax = 40005 });
        var result = relay.Manager.Offer("c", "a", null,
            [RelayHarness.Audio(RelayHarness.CallerSdp), new MediaDescription("video", RelayHarness.CallerSdp.Address, 5002)], null, out _);

        Assert.Equal(SessionError.OutOfPorts, result);
        Assert.Equal(0, relay.Manager.Totals.PortsInUse);
        relay.PassPortReuse();
        Assert.Equal(0, relay.Transport.OpenSockets);
        Assert.Null(relay.Manager.Query("c"));
        Assert.Equal(SessionError.None, relay.Manager.Offer("d", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out _));
    }

    [Fact]
    public void Adding_a_stream_without_ports_keeps_the_running_call_unchanged()
    {
        using var relay = new RelayHarness(new RelayOptions { PortMin = 40000, PortMax = 40005 }).Call();
        var result = relay.Manager.Offer(RelayHarness.CallId, "tagA", "tagB",
            [RelayHarness.Audio(RelayHarness.CallerSdp), new MediaDescription("video", RelayHarness.CallerSdp.Address, 5002)], null, out _);

        Assert.Equal(SessionError.OutOfPorts, result);
        Assert.Single(relay.Manager.Query(RelayHarness.CallId)!.Streams);
        Assert.Equal(4, relay.Manager.Totals.PortsInUse);
    }

    [Fact]
    public void A_pair_that_fails_to_bind_is_skipped()
    {
        var relay = new RelayHarness(new RelayOptions { PortMin = 40000, PortMax = 40007 });
        relay.Transport.Unbindable.Add(40001);
        relay.Manager.Offer("c", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out var offered);

        Assert.NotEqual(40000, offered[0].RtpPort);
        Assert.Equal(4, relay.Transport.OpenSockets);
        relay.Dispose();
    }

    [Fact]
    public void Freed_ports_are_reused_last()
    {
        using var relay = new RelayHarness(new RelayOptions { PortMin = 40000, PortMax = 40011 });
        relay.Manager.Offer("c1", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out var first);
        relay.Manager.Remove("c1");
        relay.Manager.Offer("c2", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out var second);

        // c1 took 40000 and 40002; c2 gets the untouched pairs 40004 and 40006, not the freed ones.
        Assert.Equal(40002, first[0].RtpPort);
        Assert.Equal(40006, second[0].RtpPort);
        Assert.Equal(40004, relay.Manager.Query("c2")!.Streams[0].Caller.Rtp.Local.Port);
    }

    [Fact]
    public void Port_zero_in_the_answer_rejects_the_stream_and_new_mlines_add_streams()
    {
        using var relay = new RelayHarness();
        relay.Manager.Offer("c", "a", null,
            [RelayHarness.Audio(RelayHarness.CallerSdp), new MediaDescription("video", RelayHarness.CallerSdp.Address, 5002)], null, out var offered);
        Assert.Equal(2, offered.Count);
        relay.Manager.Answer("c", "a", "b",
            [RelayHarness.Audio(RelayHarness.CalleeSdp), new MediaDescription("video", RelayHarness.CalleeSdp.Address, 0)], null, out var answered);

        Assert.True(answered[1].Rejected);
        var streams = relay.Manager.Query("c")!.Streams;
        Assert.Equal(EndReason.Rejected, streams[1].EndReason);
        Assert.Equal(EndReason.None, streams[0].EndReason);
    }

    [Fact]
    public void An_offer_without_a_usable_mline_keeps_no_session()
    {
        using var relay = new RelayHarness();
        Assert.Equal(SessionError.None, relay.Manager.Offer("none", "a", null, [], null, out _));
        Assert.Equal(SessionError.None, relay.Manager.Offer("zero", "a", null, [new MediaDescription("audio", RelayHarness.CallerSdp.Address, 0)], null, out var relayed));

        Assert.True(relayed[0].Rejected);
        Assert.Empty(relay.Manager.ListCallIds());
        Assert.Equal(0, relay.Transport.OpenSockets);
    }

    [Fact]
    public void Streams_missing_from_a_new_offer_are_closed()
    {
        using var relay = new RelayHarness();
        relay.Manager.Offer("c", "a", null,
            [RelayHarness.Audio(RelayHarness.CallerSdp), new MediaDescription("video", RelayHarness.CallerSdp.Address, 5002)], null, out _);
        relay.Manager.Offer("c", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out _);

        Assert.Equal(EndReason.Closed, relay.Manager.Query("c")!.Streams[1].EndReason);
        Assert.Equal(4, relay.Manager.Totals.PortsInUse);
        relay.PassPortReuse();
        Assert.Equal(4, relay.Transport.OpenSockets);
    }

    [Fact]
    public void A_callee_reinvite_updates_the_callee_side()
    {
        using var relay = new RelayHarness().Call();
        var moved = Ep("10.0.0.99", 6100);
        relay.Manager.Offer(RelayHarness.CallId, "tagB", "tagA", [RelayHarness.Audio(moved)], null, out var toCaller);
        relay.Manager.Answer(RelayHarness.CallId, "tagB", "tagA", [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out var toCallee);

        Assert.Equal(relay.FacingCaller.RtpPort, toCaller[0].RtpPort);
        Assert.Equal(relay.FacingCallee.RtpPort, toCallee[0].RtpPort);
        Assert.Equal(moved, relay.Stream.Callee.Rtp.SdpRemote);
    }

    [Fact]
    public void A_forked_call_follows_the_branch_that_answers_last()
    {
        using var relay = new RelayHarness();
        relay.Manager.Offer("c", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out var toCallees);

        // Branch 1 answers with early media (183), then branch 2 answers (200) with another phone.
        relay.Manager.Answer("c", "a", "branch-1", [RelayHarness.Audio(Ep("10.0.1.1", 7000))], null, out var toCaller);
        relay.Transport.Deliver(toCallees[0].RtpPort, Rtp(1), Ep("198.51.100.1", 7000));
        relay.Manager.Answer("c", "a", "branch-2", [RelayHarness.Audio(Ep("10.0.2.2", 8000))], null, out _);
        relay.Transport.Deliver(toCallees[0].RtpPort, Rtp(2), Ep("198.51.100.2", 8000));
        relay.Transport.Deliver(toCallees[0].RtpPort, Rtp(3), Ep("198.51.100.1", 7000));
        relay.Transport.TakeSent();
        relay.Transport.Deliver(toCaller[0].RtpPort, Rtp(4), Ep("203.0.113.7", 31000));

        var stream = relay.Manager.Query("c")!.Streams[0];
        Assert.Equal("branch-2", stream.Callee.Tag);
        Assert.Equal(Ep("198.51.100.2", 8000), stream.Callee.Rtp.LearnedRemote);
        Assert.Equal(1, stream.Callee.Rtp.Errors); // branch 1, no longer answered, is dropped
        Assert.Equal(Ep("198.51.100.2", 8000), Assert.Single(relay.Transport.TakeSent()).To);
    }

    [Fact]
    public void Answer_for_an_unknown_call_is_refused()
    {
        using var relay = new RelayHarness();
        Assert.Equal(SessionError.UnknownCall, relay.Manager.Answer("nope", "a", "b", [RelayHarness.Audio(RelayHarness.CalleeSdp)], null, out _));
    }

    [Fact]
    public void The_session_limit_refuses_new_calls_only()
    {
        using var relay = new RelayHarness(new RelayOptions { PortMin = 40000, PortMax = 40099, MaxSessions = 1 }).Call();
        Assert.Equal(SessionError.SessionLimit, relay.Manager.Offer("other", "x", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out _));
        Assert.Equal(SessionError.None, relay.Manager.Offer(RelayHarness.CallId, "tagA", "tagB", [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out _));
    }

    [Fact]
    public void Remove_returns_the_final_statistics_and_frees_every_port()
    {
        using var relay = new RelayHarness().Call();
        relay.FromCaller(Rtp(1), Ep("203.0.113.7", 31000));
        relay.FromCallee(Rtp(1), Ep("198.51.100.9", 42000));
        relay.FromCallee(Rtp(2), Ep("198.51.100.9", 42000));

        var statistics = relay.Manager.Remove(RelayHarness.CallId);
        Assert.NotNull(statistics);
        Assert.Equal(EndReason.Closed, statistics.EndReason);
        Assert.Equal(3, statistics.TotalPackets);
        Assert.Equal(3 * 172, statistics.TotalBytes);
        Assert.Equal("tagA", statistics.Streams[0].Caller.Tag);
        Assert.Equal("tagB", statistics.Streams[0].Callee.Tag);
        Assert.Equal(0, relay.Manager.Totals.PortsInUse);
        relay.PassPortReuse();
        Assert.Equal(0, relay.Transport.OpenSockets);
        Assert.Empty(relay.Manager.ListCallIds());
        // Every end is announced once (accounting and the other protocols' state see it), with the same figures.
        Assert.Equal(3, Assert.Single(relay.Ended).TotalPackets);
    }

    [Fact]
    public void Dispose_frees_every_port()
    {
        var relay = new RelayHarness().Call();
        relay.Manager.Dispose();
        Assert.Equal(0, relay.Transport.OpenSockets);
    }
}
