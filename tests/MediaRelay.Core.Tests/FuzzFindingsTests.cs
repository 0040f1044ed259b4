using static MediaRelay.Core.Tests.Packets;

namespace MediaRelay.Core.Tests;

/// <summary>Datagrams the stateful fuzz target (fuzz/MediaRelay.Fuzz, target "relay") found, byte for byte.</summary>
public sealed class FuzzFindingsTests
{
    // An RTCP receiver report whose length field is 0 in an 8-byte datagram: a valid first header by RFC 3550 A.2
    // (the length fits), so the relay takes it, but the quality reader then read the sender SSRC past the packet's
    // declared end and threw ArgumentOutOfRangeException out of OnPacket, on the socket's receive thread.
    private static readonly byte[] ZeroLengthReport = [0x81, 0xC9, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01];

    [Fact]
    public void Fuzz_a_zero_length_rtcp_report_is_relayed_without_throwing()
    {
        using var relay = new RelayHarness().Call();
        var caller = Ep("10.0.0.1", 5001);

        relay.Transport.Deliver(relay.FacingCaller.RtcpPort, ZeroLengthReport, caller);
        relay.Transport.Deliver(relay.FacingCaller.RtpPort, ZeroLengthReport, Ep("10.0.0.1", 5000));

        var sent = relay.Transport.TakeSent();
        Assert.Equal(2, sent.Count);
        Assert.All(sent, s => Assert.Equal(ZeroLengthReport, s.Data));
        Assert.Equal(1, relay.Stream.Caller.Rtcp.Packets);
        Assert.Equal(1, relay.Stream.Caller.Rtp.Packets);
        Assert.Equal(0, relay.Stream.Caller.Rtcp.Errors);
    }
}
