using System.Net;
using System.Net.Sockets;
using MediaRelay.Control.Sdp;
using MediaRelay.Core.Api;
using MediaRelay.Protocols.Sdp;

namespace MediaRelay.Control.Tests.Sdp;

public sealed class SdpRewriterTests
{
    private const string Linphone = """
        v=0
        o=alice 3418 2754 IN IP4 192.168.1.20
        s=Talk
        c=IN IP4 192.168.1.20
        t=0 0
        a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics
        m=audio 7078 RTP/AVP 96 0 8 101
        a=rtpmap:96 opus/48000/2
        a=fmtp:96 useinbandfec=1
        a=rtpmap:101 telephone-event/48000

        """;

    private const string AudioVideo = """
        v=0
        o=Z 1700000000000 1 IN IP4 10.0.0.5
        s=Z
        c=IN IP4 10.0.0.5
        t=0 0
        m=audio 8000 RTP/AVP 0 101
        c=IN IP4 10.0.0.6
        a=rtpmap:101 telephone-event/8000
        a=sendrecv
        m=video 8002 RTP/AVP 99
        c=IN IP4 10.0.0.6
        b=AS:2048
        a=rtpmap:99 H264/90000
        a=sendrecv

        """;

    private static readonly IPAddress Relay = IPAddress.Parse("203.0.113.1");
    private static readonly IPAddress RelayV6 = IPAddress.Parse("2001:db8::1");

    internal static string Rewrite(string text, SdpRewriteOptions? options = null, params RelayedMedia[] relayed)
    {
        Assert.True(SdpSession.TryParse(text, out var session, out var error), error);
        if (relayed.Length == 0)
        {
            relayed = session!.Media.Select((_, i) => new RelayedMedia(i, Relay, 40000 + (2 * i), 40001 + (2 * i))).ToArray();
        }

        var result = SdpRewriter.Rewrite(session!, relayed, options ?? new SdpRewriteOptions());
        Assert.Equal(result, session!.ToString());
        Assert.True(SdpSession.TryParse(result, out _, out error), error);
        return result;
    }

    private static string Replace(string text, params (string Old, string New)[] changes)
    {
        foreach (var (old, replacement) in changes)
        {
            Assert.Contains(old, text, StringComparison.Ordinal);
            text = text.Replace(old, replacement, StringComparison.Ordinal);
        }

        return text;
    }

    [Fact]
    public void Default_rewrites_inherited_session_connection_port_and_adds_rtcp()
    {
        Assert.Equal(
            Replace(
                Linphone,
                ("c=IN IP4 192.168.1.20\n", "c=IN IP4 203.0.113.1\n"),
                ("m=audio 7078 RTP/AVP 96 0 8 101\n", "m=audio 40000 RTP/AVP 96 0 8 101\na=rtcp:40001\n")),
            Rewrite(Linphone));
    }

    [Fact]
    public void Keeps_crlf_for_changed_and_new_lines()
    {
        var crlf = Linphone.ReplaceLineEndings("\r\n");
        Assert.Equal(
            Replace(
                crlf,
                ("c=IN IP4 192.168.1.20\r\n", "c=IN IP4 203.0.113.1\r\n"),
                ("m=audio 7078 RTP/AVP 96 0 8 101\r\n", "m=audio 40000 RTP/AVP 96 0 8 101\r\na=rtcp:40001\r\n")),
            Rewrite(crlf));
    }

    [Fact]
    public void Media_level_connections_are_rewritten_and_session_level_left_alone_by_default()
    {
        Assert.Equal(
            Replace(
                AudioVideo,
                ("m=audio 8000 RTP/AVP 0 101\nc=IN IP4 10.0.0.6\n", "m=audio 40000 RTP/AVP 0 101\nc=IN IP4 203.0.113.1\na=rtcp:40001\n"),
                ("m=video 8002 RTP/AVP 99\nc=IN IP4 10.0.0.6\n", "m=video 40002 RTP/AVP 99\nc=IN IP4 203.0.113.1\n"),
                ("b=AS:2048\n", "b=AS:2048\na=rtcp:40003\n")),
            Rewrite(AudioVideo));
    }

    [Fact]
    public void Replace_session_connection_also_rewrites_session_level_c()
    {
        var result = Rewrite(AudioVideo, new SdpRewriteOptions { ReplaceSessionConnection = true });
        Assert.Contains("s=Z\nc=IN IP4 203.0.113.1\nt=0 0\n", result, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.", result.Replace("o=Z 1700000000000 1 IN IP4 10.0.0.5", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Media_without_any_connection_gets_one()
    {
        const string text = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nt=0 0\nm=audio 4000 RTP/AVP 0\na=ptime:20\n";
        Assert.Equal(
            "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nt=0 0\nm=audio 40000 RTP/AVP 0\nc=IN IP4 203.0.113.1\na=rtcp:40001\na=ptime:20\n",
            Rewrite(text));
    }

    [Fact]
    public void A_stream_relayed_on_another_address_gets_its_own_connection()
    {
        const string text = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 0\nm=video 4002 RTP/AVP 96\n";
        var result = Rewrite(
            text,
            null,
            new RelayedMedia(0, Relay, 40000, 40001),
            new RelayedMedia(1, RelayV6, 40002, 40003));

        Assert.Equal(
            "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 203.0.113.1\nt=0 0\n"
            + "m=audio 40000 RTP/AVP 0\na=rtcp:40001\n"
            + "m=video 40002 RTP/AVP 96\nc=IN IP6 2001:db8::1\na=rtcp:40003\n",
            result);
    }

    [Fact]
    public void Ipv6_relay_writes_in_ip6_and_replace_origin_changes_address_type()
    {
        const string text = "v=0\no=bob 2890844527 2890844527 IN IP4 192.0.2.9\ns=-\nc=IN IP4 192.0.2.9\nt=0 0\nm=audio 49172 RTP/AVP 0\n";
        var result = Rewrite(text, new SdpRewriteOptions { ReplaceOrigin = true }, new RelayedMedia(0, RelayV6, 40000, 40001));

        Assert.Equal(
            "v=0\no=bob 2890844527 2890844527 IN IP6 2001:db8::1\ns=-\nc=IN IP6 2001:db8::1\nt=0 0\nm=audio 40000 RTP/AVP 0\na=rtcp:40001\n",
            result);
    }

    [Fact]
    public void Origin_is_left_alone_without_replace_origin()
    {
        Assert.Contains("o=alice 3418 2754 IN IP4 192.168.1.20\n", Rewrite(Linphone), StringComparison.Ordinal);
        Assert.Contains("o=alice 3418 2754 IN IP4 203.0.113.1\n", Rewrite(Linphone, new SdpRewriteOptions { ReplaceOrigin = true }), StringComparison.Ordinal);
    }

    [Fact]
    public void Address_family_ip6_maps_an_ipv4_relay_address()
    {
        var result = Rewrite(Linphone, new SdpRewriteOptions { AddressFamily = AddressFamily.InterNetworkV6 });
        Assert.Contains("\nc=IN IP6 ::ffff:203.0.113.1\n", result, StringComparison.Ordinal);

        result = Rewrite(Linphone, new SdpRewriteOptions { AddressFamily = AddressFamily.InterNetwork }, new RelayedMedia(0, Relay.MapToIPv6(), 40000, 40001));
        Assert.Contains("\nc=IN IP4 203.0.113.1\n", result, StringComparison.Ordinal);
    }

    [Fact]
    public void Hold_by_zero_address_passes_through_with_its_direction()
    {
        const string text = "v=0\no=- 1 2 IN IP4 10.0.0.1\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\nm=audio 4000 RTP/AVP 0\na=sendonly\n";
        Assert.Equal(
            "v=0\no=- 1 2 IN IP4 10.0.0.1\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\nm=audio 40000 RTP/AVP 0\na=rtcp:40001\na=sendonly\n",
            Rewrite(text));

        Assert.Equal(
            "v=0\no=- 1 2 IN IP4 10.0.0.1\ns=-\nc=IN IP4 203.0.113.1\nt=0 0\nm=audio 40000 RTP/AVP 0\na=rtcp:40001\na=sendonly\n",
            Rewrite(text, new SdpRewriteOptions { ReplaceZeroAddress = true }));
    }

    [Fact]
    public void Hold_by_zero_media_connection_passes_through_and_other_streams_are_rewritten()
    {
        var text = AudioVideo.Replace("m=video 8002 RTP/AVP 99\nc=IN IP4 10.0.0.6", "m=video 8002 RTP/AVP 99\nc=IN IP4 0.0.0.0", StringComparison.Ordinal);
        var result = Rewrite(text);
        Assert.Contains("m=video 40002 RTP/AVP 99\nc=IN IP4 0.0.0.0\n", result, StringComparison.Ordinal);
        Assert.Contains("m=audio 40000 RTP/AVP 0 101\nc=IN IP4 203.0.113.1\n", result, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejected_stream_keeps_its_m_line_with_port_zero_and_no_rtcp()
    {
        const string text = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 8\nm=video 4002 RTP/AVP 96\na=rtcp:4003\na=rtpmap:96 H264/90000";
        var result = Rewrite(
            text,
            null,
            new RelayedMedia(0, Relay, 40000, 40001),
            new RelayedMedia(1, Relay, 0, 0));

        Assert.Equal(
            "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 203.0.113.1\nt=0 0\nm=audio 40000 RTP/AVP 8\na=rtcp:40001\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000",
            result);
    }

    [Fact]
    public void Existing_rtcp_attribute_is_rewritten_in_place_keeping_its_form()
    {
        const string text = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 0\na=ptime:20\na=rtcp:4009 IN IP4 10.0.0.1\nm=audio 4010 RTP/AVP 0\na=ptime:20\na=rtcp:4011\n";
        Assert.Equal(
            "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 203.0.113.1\nt=0 0\nm=audio 40000 RTP/AVP 0\na=ptime:20\na=rtcp:40001 IN IP4 203.0.113.1\nm=audio 40002 RTP/AVP 0\na=ptime:20\na=rtcp:40003\n",
            Rewrite(text));
    }

    [Fact]
    public void Full_and_no_rtcp_attribute_options()
    {
        Assert.Contains("m=audio 40000 RTP/AVP 96 0 8 101\na=rtcp:40001 IN IP4 203.0.113.1\n", Rewrite(Linphone, new SdpRewriteOptions { FullRtcpAttribute = true }), StringComparison.Ordinal);

        var withRtcp = Linphone.Replace("a=rtpmap:96", "a=rtcp:7079\na=rtpmap:96", StringComparison.Ordinal);
        Assert.Equal(
            Replace(Linphone, ("c=IN IP4 192.168.1.20\n", "c=IN IP4 203.0.113.1\n"), ("m=audio 7078 ", "m=audio 40000 ")),
            Rewrite(withRtcp, new SdpRewriteOptions { NoRtcpAttribute = true }));
    }

    [Fact]
    public void Port_count_is_dropped_and_transport_protocol_overridden()
    {
        const string text = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\nm=audio 4000/2 RTP/SAVPF 0\n";
        Assert.Equal(
            "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 203.0.113.1\nt=0 0\nm=audio 40000 RTP/AVP 0\na=rtcp:40001\n",
            Rewrite(text, new SdpRewriteOptions { TransportProtocol = "RTP/AVP" }));
    }

    [Fact]
    public void Direction_is_kept_unless_overridden()
    {
        Assert.Equal(2, CountOf(Rewrite(AudioVideo), "a=sendrecv\n"));

        var text = AudioVideo.Replace("t=0 0\n", "t=0 0\na=recvonly\n", StringComparison.Ordinal)
            .Replace("a=rtpmap:99 H264/90000\na=sendrecv\n", "a=rtpmap:99 H264/90000\n", StringComparison.Ordinal)
            .Replace("a=sendrecv\n", "a=sendrecv\na=sendrecv\n", StringComparison.Ordinal);
        var result = Rewrite(text, new SdpRewriteOptions { Direction = MediaDirection.SendOnly });

        Assert.Equal(
            Replace(
                AudioVideo,
                ("m=audio 8000 RTP/AVP 0 101\nc=IN IP4 10.0.0.6\n", "m=audio 40000 RTP/AVP 0 101\nc=IN IP4 203.0.113.1\na=rtcp:40001\n"),
                ("a=rtpmap:101 telephone-event/8000\na=sendrecv\n", "a=rtpmap:101 telephone-event/8000\na=sendonly\n"),
                ("m=video 8002 RTP/AVP 99\nc=IN IP4 10.0.0.6\n", "m=video 40002 RTP/AVP 99\nc=IN IP4 203.0.113.1\n"),
                ("b=AS:2048\n", "b=AS:2048\na=rtcp:40003\n"),
                ("a=rtpmap:99 H264/90000\na=sendrecv\n", "a=rtpmap:99 H264/90000\na=sendonly\n")),
            result);
    }

    [Fact]
    public void Throws_when_relayed_media_do_not_match_the_m_lines()
    {
        Assert.True(SdpSession.TryParse(AudioVideo, out var session, out _));
        var options = new SdpRewriteOptions();
        Assert.Throws<ArgumentException>(() => SdpRewriter.Rewrite(session!, [new RelayedMedia(0, Relay, 40000, 40001)], options));
        Assert.Throws<ArgumentException>(() => SdpRewriter.Rewrite(session!, [new RelayedMedia(0, Relay, 40000, 40001), new RelayedMedia(0, Relay, 40002, 40003)], options));
        Assert.Throws<ArgumentException>(() => SdpRewriter.Rewrite(session!, [new RelayedMedia(0, Relay, 40000, 40001), new RelayedMedia(2, Relay, 40002, 40003)], options));
        Assert.Equal(AudioVideo, session!.ToString());
    }

    [Fact]
    public void Relayed_media_are_matched_by_index_not_list_order()
    {
        var result = Rewrite(AudioVideo, null, new RelayedMedia(1, Relay, 40010, 40011), new RelayedMedia(0, Relay, 40020, 40021));
        Assert.Contains("m=audio 40020 ", result, StringComparison.Ordinal);
        Assert.Contains("m=video 40010 ", result, StringComparison.Ordinal);
    }

    internal static int CountOf(string text, string part) =>
        (text.Length - text.Replace(part, string.Empty, StringComparison.Ordinal).Length) / part.Length;
}
