using System.Net;
using MediaRelay.Control.Sdp;
using MediaRelay.Core.Api;
using MediaRelay.Protocols.Sdp;

namespace MediaRelay.Control.Tests.Sdp;

public sealed class SdpMediaExtractorTests
{
    private const string Head = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\n";

    private static IReadOnlyList<MediaDescription> Extract(string text, IPAddress? trusted = null)
    {
        Assert.True(SdpSession.TryParse(text, out var session, out var error), error);
        return SdpMediaExtractor.Extract(session!, trusted);
    }

    [Fact]
    public void Audio_and_video_with_session_level_connection()
    {
        var media = Extract(Head + "c=IN IP4 192.168.1.20\nt=0 0\nm=audio 7078 RTP/AVP 0 8\na=rtpmap:0 PCMU/8000\nm=video 9078 RTP/AVP 96\na=rtpmap:96 VP8/90000\n");

        Assert.Equal(
            [
                new MediaDescription("audio", IPAddress.Parse("192.168.1.20"), 7078),
                new MediaDescription("video", IPAddress.Parse("192.168.1.20"), 9078),
            ],
            media.Select(m => m with { ClockRates = null }));
        // The clock rates from a=rtpmap, which turn RTP timestamp units into milliseconds of jitter.
        Assert.Equal(8000, media[0].ClockRates![0]);
        Assert.Equal(90000, media[1].ClockRates![96]);
    }

    [Fact]
    public void Media_level_connection_overrides_session_level()
    {
        var media = Extract(Head + "c=IN IP4 192.168.1.20\nt=0 0\nm=audio 7078 RTP/AVP 0\nc=IN IP4 192.168.1.21\nm=video 9078 RTP/AVP 96\nc=IN IP6 2001:db8::7\n");

        Assert.Equal(IPAddress.Parse("192.168.1.21"), media[0].Address);
        Assert.Equal(IPAddress.Parse("2001:db8::7"), media[1].Address);
    }

    [Fact]
    public void Hold_by_zero_address_and_by_direction()
    {
        var media = Extract(
            Head + "c=IN IP4 0.0.0.0\nt=0 0\na=sendonly\n"
            + "m=audio 7078 RTP/AVP 0\n"
            + "m=audio 7080 RTP/AVP 0\nc=IN IP4 10.0.0.2\na=inactive\n"
            + "m=audio 7082 RTP/AVP 0\nc=IN IP4 10.0.0.2\na=recvonly\n"
            + "m=audio 7084 RTP/AVP 0\nc=IN IP6 ::\na=sendrecv\n");

        Assert.Equal(IPAddress.Any, media[0].Address);
        Assert.Equal(MediaDirection.SendOnly, media[0].Direction);
        Assert.True(media[0].IsHold);
        Assert.Null(media[0].RtpEndPoint);

        Assert.Equal(MediaDirection.Inactive, media[1].Direction);
        Assert.True(media[1].IsHold);

        Assert.Equal(MediaDirection.RecvOnly, media[2].Direction);
        Assert.False(media[2].IsHold);

        Assert.Equal(IPAddress.IPv6Any, media[3].Address);
        Assert.Equal(MediaDirection.SendRecv, media[3].Direction);
        Assert.True(media[3].IsHold);
    }

    [Fact]
    public void Direction_defaults_to_sendrecv()
    {
        var media = Extract(Head + "c=IN IP4 10.0.0.2\nt=0 0\nm=audio 7078 RTP/AVP 0\n");
        Assert.Equal(MediaDirection.SendRecv, media[0].Direction);
    }

    [Fact]
    public void Ice_rtcp_mux_and_rtcp_port()
    {
        var media = Extract(
            Head + "t=0 0\n"
            + "m=audio 54278 UDP/TLS/RTP/SAVPF 111\nc=IN IP4 203.0.113.7\na=rtcp:9 IN IP4 0.0.0.0\na=candidate:1 1 udp 2113937151 192.168.0.2 54278 typ host\na=rtcp-mux\n"
            + "m=audio 6000 RTP/AVP 0\nc=IN IP4 203.0.113.7\na=ice-ufrag:abcd\na=rtcp:6021\n"
            + "m=audio 6002 RTP/AVP 0\nc=IN IP4 203.0.113.7\na=rtcp:bogus\n");

        Assert.Equal(new MediaDescription("audio", IPAddress.Parse("203.0.113.7"), 54278, MediaDirection.SendRecv, IceOffered: true, RtcpMux: true, RtcpPort: 9, Protocol: "UDP/TLS/RTP/SAVPF"), media[0]);
        Assert.Equal(new MediaDescription("audio", IPAddress.Parse("203.0.113.7"), 6000, IceOffered: true, RtcpPort: 6021), media[1]);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 6021), media[1].RtcpEndPoint);
        Assert.Equal(new MediaDescription("audio", IPAddress.Parse("203.0.113.7"), 6002), media[2]);
    }

    [Fact]
    public void Session_level_ice_ufrag_marks_every_stream()
    {
        var media = Extract(Head + "c=IN IP4 10.0.0.2\nt=0 0\na=ice-ufrag:abcd\na=ice-pwd:0123456789012345678901\nm=audio 7078 RTP/AVP 0\nm=video 7080 RTP/AVP 96\n");
        Assert.All(media, m => Assert.True(m.IceOffered));
    }

    [Fact]
    public void Trusted_address_replaces_the_sdp_address_except_hold()
    {
        var sip = IPAddress.Parse("198.51.100.50");
        var media = Extract(
            Head + "c=IN IP4 192.168.1.20\nt=0 0\nm=audio 7078 RTP/AVP 0\nm=audio 7080 RTP/AVP 0\nc=IN IP4 0.0.0.0\nm=audio 0 RTP/AVP 0\n",
            sip);

        Assert.Equal(sip, media[0].Address);
        Assert.Equal(new IPEndPoint(sip, 7078), media[0].RtpEndPoint);
        Assert.Equal(IPAddress.Any, media[1].Address);
        Assert.Equal(sip, media[2].Address);
        Assert.Equal(0, media[2].Port);
    }

    [Fact]
    public void Missing_connection_address_fails_try_extract_only()
    {
        Assert.True(SdpSession.TryParse(Head + "t=0 0\nm=audio 7078 RTP/AVP 0\nm=video 0 RTP/AVP 96\n", out var session, out _));

        Assert.False(SdpMediaExtractor.TryExtract(session!, null, out var media, out var error));
        Assert.Equal("m-line 1 (audio) has no connection address", error);
        Assert.Equal(IPAddress.Any, media[0].Address);

        Assert.True(SdpMediaExtractor.TryExtract(session!, IPAddress.Loopback, out media, out error));
        Assert.Null(error);
        Assert.Equal(IPAddress.Loopback, media[0].Address);
        Assert.Equal(2, SdpMediaExtractor.Extract(session!, null).Count);
    }
}
