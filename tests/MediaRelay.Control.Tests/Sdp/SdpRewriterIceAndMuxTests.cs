using System.Net;
using MediaRelay.Control.Sdp;
using MediaRelay.Core.Api;

namespace MediaRelay.Control.Tests.Sdp;

public sealed class SdpRewriterIceAndMuxTests
{
    private const string WebRtc = """
        v=0
        o=- 4611731400430051336 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0
        a=ice-lite
        a=msid-semantic: WMS stream1
        m=audio 54278 UDP/TLS/RTP/SAVPF 111 0
        c=IN IP4 203.0.113.7
        a=rtcp:9 IN IP4 0.0.0.0
        a=candidate:3348148302 1 udp 2113937151 192.168.0.2 54278 typ host generation 0
        a=candidate:842163049 1 udp 1677729535 203.0.113.7 54278 typ srflx raddr 192.168.0.2 rport 54278 generation 0
        a=end-of-candidates
        a=ice-ufrag:EsAw
        a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y
        a=ice-options:trickle
        a=remote-candidates:1 192.168.0.9 5000
        a=setup:actpass
        a=mid:0
        a=sendrecv
        a=rtcp-mux
        a=rtpmap:111 opus/48000/2

        """;

    private const string Plain = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 0\na=ptime:20\n";

    // The relay's host candidate priority: type preference 126, local preference 65535 (RFC 8445 section 5.1.2.1).
    private const string Component1 = "2130706431";
    private const string Component2 = "2130706430";

    private static string Rewrite(string text, SdpRewriteOptions? options = null) => SdpRewriterTests.Rewrite(text, options);

    private static SdpRewriteOptions Fixed(IceMode mode, RtcpMuxMode mux = RtcpMuxMode.PassThrough) =>
        new() { Ice = mode, RtcpMux = mux, IceUsernameFragment = "Ufrag123", IcePassword = "Password1234567890abcdef" };

    private static string Foundation => SdpIce.Foundation(IPAddress.Parse("203.0.113.1"));

    private static string WebRtcRelayed(string iceLines) =>
        "v=0\no=- 4611731400430051336 2 IN IP4 127.0.0.1\ns=-\nt=0 0\na=group:BUNDLE 0\na=msid-semantic: WMS stream1\n"
        + "m=audio 40000 UDP/TLS/RTP/SAVPF 111 0\nc=IN IP4 203.0.113.1\na=rtcp:40001 IN IP4 203.0.113.1\n"
        + "a=setup:actpass\na=mid:0\na=sendrecv\na=rtcp-mux\na=rtpmap:111 opus/48000/2\n"
        + iceLines;

    [Fact]
    public void Remove_strips_every_ice_attribute_at_both_levels()
    {
        Assert.Equal(WebRtcRelayed(string.Empty), Rewrite(WebRtc, new SdpRewriteOptions { Ice = IceMode.Remove }));
    }

    [Fact]
    public void Default_replaces_offered_candidates_with_the_relay_as_only_candidate()
    {
        Assert.Equal(
            WebRtcRelayed(
                "a=ice-ufrag:Ufrag123\na=ice-pwd:Password1234567890abcdef\n"
                + $"a=candidate:{Foundation} 1 UDP {Component1} 203.0.113.1 40000 typ host\n"),
            Rewrite(WebRtc, Fixed(IceMode.Default)));
    }

    [Fact]
    public void Force_equals_default_when_ice_was_offered()
    {
        Assert.Equal(Rewrite(WebRtc, Fixed(IceMode.Default)), Rewrite(WebRtc, Fixed(IceMode.Force)));
    }

    [Fact]
    public void Default_adds_nothing_when_no_ice_was_offered()
    {
        Assert.Equal(
            "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 203.0.113.1\nt=0 0\nm=audio 40000 RTP/AVP 0\na=rtcp:40001\na=ptime:20\n",
            Rewrite(Plain, Fixed(IceMode.Default)));
    }

    [Fact]
    public void Force_without_offered_ice_adds_rtp_and_rtcp_components()
    {
        Assert.Equal(
            "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 203.0.113.1\nt=0 0\nm=audio 40000 RTP/AVP 0\na=rtcp:40001\na=ptime:20\n"
            + "a=ice-ufrag:Ufrag123\na=ice-pwd:Password1234567890abcdef\n"
            + $"a=candidate:{Foundation} 1 UDP {Component1} 203.0.113.1 40000 typ host\n"
            + $"a=candidate:{Foundation} 2 UDP {Component2} 203.0.113.1 40001 typ host\n",
            Rewrite(Plain, Fixed(IceMode.Force)));
    }

    [Fact]
    public void Force_with_rtcp_mux_offer_adds_only_the_rtp_component()
    {
        Assert.Equal(
            "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 203.0.113.1\nt=0 0\nm=audio 40000 RTP/AVP 0\na=ptime:20\n"
            + "a=ice-ufrag:Ufrag123\na=ice-pwd:Password1234567890abcdef\n"
            + $"a=candidate:{Foundation} 1 UDP {Component1} 203.0.113.1 40000 typ host\n"
            + "a=rtcp-mux\n",
            Rewrite(Plain, Fixed(IceMode.Force, RtcpMuxMode.Offer)));
    }

    [Fact]
    public void Force_with_demux_of_a_muxed_offer_adds_both_components()
    {
        var result = Rewrite(WebRtc, Fixed(IceMode.Force, RtcpMuxMode.Demux));
        Assert.Equal(
            WebRtcRelayed(
                "a=ice-ufrag:Ufrag123\na=ice-pwd:Password1234567890abcdef\n"
                + $"a=candidate:{Foundation} 1 UDP {Component1} 203.0.113.1 40000 typ host\n"
                + $"a=candidate:{Foundation} 2 UDP {Component2} 203.0.113.1 40001 typ host\n").Replace("a=rtcp-mux\n", string.Empty, StringComparison.Ordinal),
            result);
    }

    [Fact]
    public void Rejected_streams_get_no_candidates()
    {
        var result = SdpRewriterTests.Rewrite(Plain, Fixed(IceMode.Force), new RelayedMedia(0, IPAddress.Parse("203.0.113.1"), 0, 0));
        Assert.Equal("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 203.0.113.1\nt=0 0\nm=audio 0 RTP/AVP 0\na=ptime:20\n", result);
    }

    [Fact]
    public void Generated_credentials_are_fresh_ice_chars_of_sufficient_length()
    {
        var first = Credentials(Rewrite(Plain, new SdpRewriteOptions { Ice = IceMode.Force }));
        var second = Credentials(Rewrite(Plain, new SdpRewriteOptions { Ice = IceMode.Force }));

        Assert.True(first.Ufrag.Length >= 4);
        Assert.True(first.Pwd.Length >= 22);
        Assert.All(first.Ufrag + first.Pwd, c => Assert.True(char.IsAsciiLetterOrDigit(c)));
        Assert.NotEqual(first.Ufrag, second.Ufrag);
        Assert.NotEqual(first.Pwd, second.Pwd);
    }

    [Fact]
    public void One_set_of_credentials_serves_every_stream_of_a_rewrite()
    {
        const string text = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 0\nm=video 4002 RTP/AVP 96\n";
        var result = Rewrite(text, new SdpRewriteOptions { Ice = IceMode.Force });
        Assert.Equal(2, SdpRewriterTests.CountOf(result, Credentials(result).Ufrag));
        Assert.Contains("203.0.113.1 40002 typ host\n", result, StringComparison.Ordinal);
        Assert.Contains("203.0.113.1 40003 typ host\n", result, StringComparison.Ordinal);
    }

    [Fact]
    public void Rtcp_mux_offer_adds_it_once()
    {
        Assert.EndsWith("a=ptime:20\na=rtcp-mux\n", Rewrite(Plain, new SdpRewriteOptions { RtcpMux = RtcpMuxMode.Offer }), StringComparison.Ordinal);
        Assert.Equal(1, SdpRewriterTests.CountOf(Rewrite(WebRtc, new SdpRewriteOptions { RtcpMux = RtcpMuxMode.Offer }), "a=rtcp-mux"));
    }

    [Theory]
    [InlineData(RtcpMuxMode.Demux)]
    [InlineData(RtcpMuxMode.Reject)]
    public void Rtcp_mux_demux_and_reject_remove_it(RtcpMuxMode mode)
    {
        var result = Rewrite(WebRtc, new SdpRewriteOptions { Ice = IceMode.Remove, RtcpMux = mode });
        Assert.Equal(WebRtcRelayed(string.Empty).Replace("a=rtcp-mux\n", string.Empty, StringComparison.Ordinal), result);
    }

    [Theory]
    [InlineData(RtcpMuxMode.PassThrough)]
    [InlineData(RtcpMuxMode.Accept)]
    public void Rtcp_mux_pass_through_and_accept_leave_it(RtcpMuxMode mode)
    {
        Assert.Equal(WebRtcRelayed(string.Empty), Rewrite(WebRtc, new SdpRewriteOptions { Ice = IceMode.Remove, RtcpMux = mode }));
        Assert.DoesNotContain("rtcp-mux", Rewrite(Plain, new SdpRewriteOptions { RtcpMux = mode }), StringComparison.Ordinal);
    }

    [Fact]
    public void Rtcp_mux_require_advertises_no_separate_rtcp_port()
    {
        Assert.Equal(
            "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 203.0.113.1\nt=0 0\nm=audio 40000 RTP/AVP 0\na=ptime:20\na=rtcp-mux\n",
            Rewrite(Plain, new SdpRewriteOptions { RtcpMux = RtcpMuxMode.Require }));

        Assert.Equal(
            WebRtcRelayed(string.Empty).Replace("a=rtcp:40001 IN IP4", "a=rtcp:40000 IN IP4", StringComparison.Ordinal),
            Rewrite(WebRtc, new SdpRewriteOptions { Ice = IceMode.Remove, RtcpMux = RtcpMuxMode.Require }));
    }

    private static (string Ufrag, string Pwd) Credentials(string sdp)
    {
        var lines = sdp.Split('\n');
        return (
            lines.First(l => l.StartsWith("a=ice-ufrag:", StringComparison.Ordinal))["a=ice-ufrag:".Length..],
            lines.First(l => l.StartsWith("a=ice-pwd:", StringComparison.Ordinal))["a=ice-pwd:".Length..]);
    }
}
