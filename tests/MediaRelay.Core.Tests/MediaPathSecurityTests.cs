using System.Net;
using MediaRelay.Core.Api;
using static MediaRelay.Core.Tests.Packets;

namespace MediaRelay.Core.Tests;

/// <summary>
/// Issue 15, findings 1, 2, 5 and 6 on the model with a fake clock: media never goes to the relay's own sockets
/// or to addresses it refuses, never loops, and no stranger takes over a flow after a re-INVITE or through RTCP.
/// </summary>
public sealed class MediaPathSecurityTests
{
    private const int NgPort = 2223;
    private static readonly IPEndPoint CallerNat = Ep("203.0.113.7", 31000);
    private static readonly IPEndPoint CalleeNat = Ep("198.51.100.9", 32000);
    private static readonly IPEndPoint Stranger = Ep("192.0.2.66", 4444);

    private static RelayHarness Relay(string relayAddress = "127.0.0.1", Action<RelayOptions>? configure = null)
    {
        var options = new RelayOptions
        {
            RelayAddress = IPAddress.Parse(relayAddress),
            PortMin = 40000,
            PortMax = 40099,
            ControlEndPoints = [new IPEndPoint(IPAddress.Loopback, NgPort)],
        };
        configure?.Invoke(options);
        return new RelayHarness(options);
    }

    [Fact]
    public void A_callee_sdp_naming_the_relays_own_ng_socket_receives_nothing()
    {
        // The attack of finding 1: the callee's SDP names 127.0.0.1:<ng port>, the attacker sends "RTP" to the
        // caller-facing port with a bencoded command after the 12-byte header.
        using var relay = Relay().Call(callee: RelayHarness.Audio(Ep("127.0.0.1", NgPort)));
        var injected = Rtp(1).Take(12).Concat(" d7:command4:liste"u8.ToArray()).ToArray();

        relay.FromCaller(injected, CallerNat);
        relay.FromCaller(injected, CallerNat);

        Assert.Empty(relay.Transport.TakeSent());
        Assert.Equal(2, relay.Stream.Caller.Rtp.Packets);
        Assert.Equal(2, relay.Stream.Caller.Rtp.Errors);
    }

    [Theory]
    [InlineData("127.0.0.1", 40050)] // a media port of the relay, on its address
    [InlineData("127.0.0.1", NgPort)]
    public void An_sdp_destination_on_the_relays_own_ports_is_never_sent_to(string address, int port)
    {
        using var relay = Relay().Call(callee: RelayHarness.Audio(Ep(address, port)));
        relay.FromCaller(Rtp(1), CallerNat);
        Assert.Empty(relay.Transport.TakeSent());
    }

    [Fact]
    public void A_source_that_is_one_of_the_relays_own_ports_is_never_learned_nor_relayed()
    {
        // Finding 2: the callee's SDP names the caller-facing relay port, so a packet relayed to the callee would
        // come back from the relay's own port and circulate for ever.
        using var relay = Relay();
        relay.Call();
        var ownPort = Ep("127.0.0.1", relay.FacingCallee.RtpPort);

        relay.FromCaller(Rtp(1), ownPort);
        relay.FromCallee(Rtp(2), Ep("127.0.0.1", relay.FacingCaller.RtpPort));

        Assert.Empty(relay.Transport.TakeSent());
        Assert.Null(relay.Stream.Caller.Rtp.LearnedRemote);
        Assert.Null(relay.Stream.Callee.Rtp.LearnedRemote);
        Assert.Equal(1, relay.Stream.Caller.Rtp.Errors);

        // The real phones still latch afterwards.
        relay.FromCaller(Rtp(3), CallerNat);
        Assert.Equal(CallerNat, relay.Stream.Caller.Rtp.LearnedRemote);
    }

    [Theory]
    [InlineData("127.0.0.1", 5000)] // loopback while the relay is public
    [InlineData("0.0.0.0", 5000)] // hold: nowhere
    [InlineData("224.0.0.251", 5353)]
    [InlineData("255.255.255.255", 5000)]
    [InlineData("127.0.0.1", 2223)] // its ng socket
    [InlineData("203.0.113.1", 40010)] // the relay's own address, a media port
    [InlineData("10.99.3.4", 6379)] // an operator-denied range (a Redis host)
    public void A_public_relay_refuses_these_sdp_destinations_and_still_accepts_the_call(string address, int port)
    {
        using var relay = Relay("203.0.113.1", o => o.DenyMediaTo = [IPNetwork.Parse("10.99.0.0/16")]);
        relay.Call(callee: RelayHarness.Audio(Ep(address, port)));

        relay.FromCaller(Rtp(1), CallerNat);

        Assert.Empty(relay.Transport.TakeSent());
        Assert.NotNull(relay.Manager.Query(RelayHarness.CallId));

        // Once the callee sends from a real address, media flows both ways.
        relay.FromCallee(Rtp(2), CalleeNat);
        relay.FromCaller(Rtp(3), CallerNat);
        Assert.Equal([CallerNat, CalleeNat], relay.Transport.TakeSent().Select(s => s.To));
    }

    [Fact]
    public void A_source_inside_a_denied_range_is_not_learned()
    {
        using var relay = Relay("203.0.113.1", o => o.DenyMediaTo = [IPNetwork.Parse("10.99.0.0/16")]);
        relay.Call();

        relay.FromCaller(Rtp(1), Ep("10.99.0.5", 5000));

        Assert.Null(relay.Stream.Caller.Rtp.LearnedRemote);
        Assert.Empty(relay.Transport.TakeSent());
    }

    [Fact]
    public void After_a_hold_and_resume_a_stranger_gets_nothing_while_the_phone_keeps_talking()
    {
        // Finding 5: hold (c=0.0.0.0) and resume made the learned address obsolete; one stranger packet took over.
        using var relay = Relay("203.0.113.1", o => o.LatchWindow = TimeSpan.Zero).Call();
        relay.FromCaller(Rtp(1), CallerNat);
        relay.FromCallee(Rtp(1), CalleeNat);
        relay.Clock.Advance(TimeSpan.FromSeconds(5));
        relay.Manager.Offer(RelayHarness.CallId, "tagA", "tagB", [RelayHarness.Audio(Ep("0.0.0.0", 5000), MediaDirection.SendOnly)], null, out _);
        relay.Manager.Offer(RelayHarness.CallId, "tagA", "tagB", [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out _);
        relay.Transport.TakeSent();

        for (ushort i = 2; i < 152; i++)
        {
            relay.FromCaller(Rtp(i), i % 10 == 0 ? Stranger : CallerNat);
            relay.FromCallee(Rtp(i), CalleeNat);
            relay.Clock.Advance(TimeSpan.FromMilliseconds(20));
        }

        var sent = relay.Transport.TakeSent();
        Assert.DoesNotContain(sent, s => s.To.Equals(Stranger));
        Assert.Equal(150, sent.Count(s => s.To.Equals(CallerNat)));
        Assert.Equal(CallerNat, relay.Stream.Caller.Rtp.LearnedRemote);
        Assert.Equal(15, relay.Stream.Caller.Rtp.Errors);
    }

    [Fact]
    public void A_phone_whose_media_moved_alone_is_relearned_once_its_old_source_is_silent()
    {
        using var relay = Relay("203.0.113.1", o => o.LatchWindow = TimeSpan.Zero).Call();
        relay.FromCaller(Rtp(1), CallerNat);
        relay.Clock.Advance(TimeSpan.FromSeconds(5));
        relay.Manager.Offer(RelayHarness.CallId, "tagA", "tagB", [RelayHarness.Audio(Ep("10.9.9.9", 7000))], null, out _);
        var moved = Ep("198.51.100.77", 50000);

        relay.FromCaller(Rtp(2), CallerNat); // the old source still talks: the new one, matching nothing, waits
        relay.Clock.Advance(relay.Options.RelearnSilence - TimeSpan.FromMilliseconds(20));
        relay.FromCaller(Rtp(3), moved);
        Assert.Equal(CallerNat, relay.Stream.Caller.Rtp.LearnedRemote);

        relay.Clock.Advance(TimeSpan.FromMilliseconds(20)); // the old source has been silent for RelearnSilence
        relay.FromCaller(Rtp(4), moved);
        Assert.Equal(moved, relay.Stream.Caller.Rtp.LearnedRemote);
    }

    [Fact]
    public void A_phone_moved_with_its_signalling_continues_with_no_gap()
    {
        using var relay = Relay("203.0.113.1", o => o.LatchWindow = TimeSpan.Zero).Call();
        relay.FromCaller(Rtp(1), CallerNat);
        relay.Clock.Advance(TimeSpan.FromSeconds(5));
        var moved = Ep("198.51.100.77", 50000);
        relay.Manager.Offer(RelayHarness.CallId, "tagA", "tagB", [RelayHarness.Audio(Ep("10.9.9.9", 7000))], moved.Address, out _);
        relay.Transport.TakeSent();

        relay.FromCaller(Rtp(2), CallerNat);
        relay.FromCaller(Rtp(3), moved);
        relay.FromCaller(Rtp(4), CallerNat);
        relay.FromCaller(Rtp(5), Stranger);

        Assert.Equal(2, relay.Transport.TakeSent().Count(s => s.Data[^1] is 2 or 3));
        Assert.Equal(moved, relay.Stream.Caller.Rtp.LearnedRemote);
        Assert.Equal(2, relay.Stream.Caller.Rtp.Errors);
    }

    [Fact]
    public void Rtcp_latched_by_a_stranger_while_ringing_is_dropped_when_rtp_learns_and_the_callees_rtcp_reaches_the_caller()
    {
        // Finding 6: while the callee's phone rang, a stranger's RTCP latched the callee-side RTCP.
        using var relay = Relay("203.0.113.1").Call();
        relay.FromCaller(Rtp(1), CallerNat);
        relay.Transport.Deliver(relay.FacingCaller.RtcpPort, Rtcp(), Ep(CallerNat.Address.ToString(), 31001));
        relay.Transport.Deliver(relay.FacingCallee.RtcpPort, Rtcp(), Ep("192.0.2.66", 4445));
        Assert.Equal(Ep("192.0.2.66", 4445), relay.Stream.Callee.Rtcp.LearnedRemote);

        relay.FromCallee(Rtp(1), CalleeNat); // the callee answers and its RTP learns: the stranger's latch goes
        Assert.Null(relay.Stream.Callee.Rtcp.LearnedRemote);
        relay.Transport.TakeSent();

        var calleeRtcp = Ep(CalleeNat.Address.ToString(), 32001);
        relay.Transport.Deliver(relay.FacingCallee.RtcpPort, Rtcp(), Ep("192.0.2.66", 4445));
        relay.Transport.Deliver(relay.FacingCallee.RtcpPort, Rtcp(), calleeRtcp);
        relay.Transport.Deliver(relay.FacingCaller.RtcpPort, Rtcp(), Ep(CallerNat.Address.ToString(), 31001));

        var sent = relay.Transport.TakeSent();
        Assert.Equal([Ep(CallerNat.Address.ToString(), 31001), calleeRtcp], sent.Select(s => s.To));
        Assert.Equal(calleeRtcp, relay.Stream.Callee.Rtcp.LearnedRemote);
    }
}
