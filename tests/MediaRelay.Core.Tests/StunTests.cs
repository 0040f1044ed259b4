using MediaRelay.Core.Api;
using static MediaRelay.Core.Tests.Packets;

namespace MediaRelay.Core.Tests;

public sealed class StunTests
{
    [Fact]
    public void Stun_is_relayed_unchanged_and_never_counted_as_media()
    {
        using var relay = new RelayHarness().Call();
        var stun = Stun();
        relay.FromCaller(stun, Ep("203.0.113.7", 31000));

        var sent = Assert.Single(relay.Transport.TakeSent());
        Assert.Equal(stun, sent.Data);
        Assert.Equal(0, relay.Stream.Caller.Rtp.Packets);
        Assert.Equal(1, relay.Stream.Caller.Rtp.StunPackets);
        Assert.Null(relay.Stream.FirstMedia);
    }

    [Fact]
    public void Stun_from_the_caller_is_queued_until_the_answer_gives_the_callee_address()
    {
        using var relay = new RelayHarness();
        relay.Manager.Offer(RelayHarness.CallId, "tagA", null, [RelayHarness.Audio(RelayHarness.CallerSdp, ice: true)], null, out _);
        var facingCaller = FacingCallerPort(relay);
        var stun = Stun(9);
        relay.Transport.Deliver(facingCaller, stun, Ep("203.0.113.7", 31000));
        Assert.Empty(relay.Transport.TakeSent());

        relay.Manager.Answer(RelayHarness.CallId, "tagA", "tagB", [RelayHarness.Audio(RelayHarness.CalleeSdp, ice: true)], null, out _);
        var sent = Assert.Single(relay.Transport.TakeSent());
        Assert.Equal(stun, sent.Data);
        Assert.Equal(RelayHarness.CalleeSdp, sent.To);
    }

    [Fact]
    public void Queued_stun_older_than_the_queue_time_is_dropped()
    {
        using var relay = new RelayHarness();
        relay.Manager.Offer(RelayHarness.CallId, "tagA", null, [RelayHarness.Audio(RelayHarness.CallerSdp, ice: true)], null, out _);
        relay.Transport.Deliver(FacingCallerPort(relay), Stun(9), Ep("203.0.113.7", 31000));
        relay.Clock.Advance(TimeSpan.FromSeconds(5));

        relay.Manager.Answer(RelayHarness.CallId, "tagA", "tagB", [RelayHarness.Audio(RelayHarness.CalleeSdp, ice: true)], null, out _);
        Assert.Empty(relay.Transport.TakeSent());
    }

    /// <summary>Before the answer, the caller-facing port is the one the offer did not return.</summary>
    private static int FacingCallerPort(RelayHarness relay)
    {
        var stream = relay.Manager.Query(RelayHarness.CallId)!.Streams[0];
        return stream.Caller.Rtp.Local.Port;
    }
}
