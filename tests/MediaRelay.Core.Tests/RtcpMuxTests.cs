using MediaRelay.Core.Api;
using static MediaRelay.Core.Tests.Packets;

namespace MediaRelay.Core.Tests;

public sealed class RtcpMuxTests
{
    private static readonly System.Net.IPEndPoint CallerNat = Ep("203.0.113.7", 31000);
    private static readonly System.Net.IPEndPoint CalleeNat = Ep("198.51.100.9", 42000);

    private static RelayHarness MuxedCallerPlainCallee() => new RelayHarness().Call(
        new MediaDescription("audio", RelayHarness.CallerSdp.Address, RelayHarness.CallerSdp.Port, RtcpMux: true),
        RelayHarness.Audio(RelayHarness.CalleeSdp));

    [Fact]
    public void Muxed_rtcp_goes_to_the_rtcp_port_of_a_party_that_does_not_mux()
    {
        using var relay = MuxedCallerPlainCallee();
        relay.FromCaller(Rtp(1), CallerNat);
        relay.Transport.TakeSent();

        relay.FromCaller(Rtcp(), CallerNat);
        var sent = Assert.Single(relay.Transport.TakeSent());
        Assert.Equal(relay.FacingCallee.RtcpPort, sent.FromPort);
        Assert.Equal(Ep("10.0.0.2", 6001), sent.To);
        Assert.Equal(2, relay.Stream.Caller.Rtp.Packets);
    }

    [Fact]
    public void Rtcp_from_a_party_that_does_not_mux_reaches_the_muxing_party_on_its_rtp_port()
    {
        using var relay = MuxedCallerPlainCallee();
        relay.FromCaller(Rtp(1), CallerNat);
        relay.FromCallee(Rtp(1), CalleeNat);
        relay.Transport.TakeSent();

        relay.Transport.Deliver(relay.FacingCallee.RtcpPort, Rtcp(), Ep("198.51.100.9", 42001));
        var sent = Assert.Single(relay.Transport.TakeSent());
        Assert.Equal(relay.FacingCaller.RtpPort, sent.FromPort);
        Assert.Equal(CallerNat, sent.To);
    }

    [Fact]
    public void When_both_mux_rtcp_stays_on_the_rtp_flow()
    {
        using var relay = new RelayHarness().Call(
            new MediaDescription("audio", RelayHarness.CallerSdp.Address, RelayHarness.CallerSdp.Port, RtcpMux: true),
            new MediaDescription("audio", RelayHarness.CalleeSdp.Address, RelayHarness.CalleeSdp.Port, RtcpMux: true));
        relay.FromCaller(Rtcp(), CallerNat);

        var sent = Assert.Single(relay.Transport.TakeSent());
        Assert.Equal(relay.FacingCallee.RtpPort, sent.FromPort);
        Assert.Equal(RelayHarness.CalleeSdp, sent.To);
    }
}
