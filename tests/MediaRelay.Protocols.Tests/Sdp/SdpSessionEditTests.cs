using System.Net;
using MediaRelay.Protocols.Sdp;

namespace MediaRelay.Protocols.Tests.Sdp;

public sealed class SdpSessionEditTests
{
    private static SdpSession Parse(string text)
    {
        Assert.True(SdpSession.TryParse(text, out var session, out var error), error);
        return session!;
    }

    [Fact]
    public void Changing_the_port_rewrites_only_the_m_line()
    {
        var text = SdpSamples.Crlf(SdpSamples.ZoiperAudioVideo);
        var session = Parse(text);
        session.Media[1].Port = 40002;

        Assert.Equal(text.Replace("m=video 8002 ", "m=video 40002 ", StringComparison.Ordinal), session.ToString());
        Assert.False(session.Media[1].Lines[0].IsOriginal);
        Assert.True(session.Media[1].Lines[1].IsOriginal);
    }

    [Fact]
    public void Setting_an_unchanged_value_keeps_the_original_line()
    {
        var session = Parse("v=0\no=-  1 1 IN IP4 10.0.0.1\ns=-\nt=0 0\nm=audio 4000  RTP/AVP 0\n");
        session.Media[0].Port = 4000;
        session.Origin = session.Origin;

        Assert.Equal("m=audio 4000 RTP/AVP 0", session.Media[0].Lines[0].ToString());
        Assert.Equal("o=- 1 1 IN IP4 10.0.0.1", session.Lines[1].ToString());
    }

    [Fact]
    public void Replaces_origin_and_connections_keeping_line_endings()
    {
        var session = Parse(SdpSamples.Crlf(SdpSamples.LinphoneAudio));
        session.Origin = session.Origin!.WithAddress(IPAddress.Parse("2001:db8::1"));
        session.Connection = SdpConnection.For(IPAddress.Parse("203.0.113.1"));
        session.Media[0].Connection = SdpConnection.For(IPAddress.Parse("203.0.113.2"));

        var expected = SdpSamples.Crlf(SdpSamples.LinphoneAudio)
            .Replace("o=alice 3418 2754 IN IP4 192.168.1.20", "o=alice 3418 2754 IN IP6 2001:db8::1", StringComparison.Ordinal)
            .Replace("c=IN IP4 192.168.1.20", "c=IN IP4 203.0.113.1", StringComparison.Ordinal)
            .Replace("m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100\r\n", "m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100\r\nc=IN IP4 203.0.113.2\r\n", StringComparison.Ordinal);
        Assert.Equal(expected, session.ToString());
    }

    [Fact]
    public void New_lines_go_in_rfc_order()
    {
        var session = Parse("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nt=0 0\nm=audio 4000 RTP/AVP 0\ni=voice\nb=AS:64\na=ptime:20\n");
        session.Connection = SdpConnection.For(IPAddress.Parse("10.0.0.2"));
        session.AddAttribute("ice-lite");
        session.Media[0].Connection = SdpConnection.For(IPAddress.Parse("10.0.0.3"));
        session.Media[0].AddAttribute("rtcp-mux");
        session.Media[0].InsertAttribute(0, "rtcp", "4001");

        Assert.Equal(
            "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.2\nt=0 0\na=ice-lite\n"
            + "m=audio 4000 RTP/AVP 0\ni=voice\nc=IN IP4 10.0.0.3\nb=AS:64\na=rtcp:4001\na=ptime:20\na=rtcp-mux\n",
            session.ToString());
    }

    [Fact]
    public void Appending_after_a_final_line_without_newline_keeps_the_text_unterminated()
    {
        var session = Parse(SdpSamples.RejectedVideo);
        session.Media[1].AddAttribute("inactive");

        Assert.Equal(SdpSamples.RejectedVideo + "\na=inactive", session.ToString());
    }

    [Fact]
    public void Set_replace_and_remove_attributes()
    {
        var session = Parse(SdpSamples.WebRtc);
        var audio = session.Media[0];

        Assert.True(audio.SetAttribute("sendrecv"));
        Assert.True(audio.SetAttribute("mid", "audio"));
        Assert.False(audio.SetAttribute("ptime", "20"));
        Assert.Equal(2, audio.RemoveAttributes("candidate"));
        Assert.Equal(3, audio.RemoveAttributes(a => a.Name.StartsWith("ice-", StringComparison.Ordinal)));
        Assert.Equal(0, audio.RemoveAttributes("nothing"));

        var expected = SdpSamples.WebRtc
            .Replace("a=mid:0\n", "a=mid:audio\n", StringComparison.Ordinal)
            .Replace("a=candidate:3348148302 1 udp 2113937151 192.168.0.2 54278 typ host generation 0 network-cost 999\n", string.Empty, StringComparison.Ordinal)
            .Replace("a=candidate:842163049 1 udp 1677729535 203.0.113.7 54278 typ srflx raddr 192.168.0.2 rport 54278 generation 0 network-cost 999\n", string.Empty, StringComparison.Ordinal)
            .Replace("a=ice-ufrag:EsAw\na=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y\na=ice-options:trickle\n", string.Empty, StringComparison.Ordinal)
            + "a=ptime:20\n";
        Assert.Equal(expected, session.ToString());
    }

    [Fact]
    public void Lines_can_be_replaced_removed_and_media_added()
    {
        var session = Parse(SdpSamples.Ipv6);
        var sessionName = session.FindLine('s')!;
        Assert.True(session.ReplaceLine(sessionName, new SdpLine('s', "renamed")));
        Assert.False(session.ReplaceLine(sessionName, new SdpLine('s', "again")));
        Assert.True(session.RemoveLine(session.FindLine('c')!));
        Assert.False(session.RemoveLine(session.Lines[0]));
        Assert.Equal(0, session.Media[0].RemoveLines('m'));
        Assert.Equal(0, session.Media[0].RemoveLines('m'));
        Assert.Throws<ArgumentException>(() => session.AddLine(new SdpLine('m', "audio 1 RTP/AVP 0")));
        Assert.Throws<ArgumentException>(() => new SdpLine('A', "x"));
        Assert.Throws<ArgumentException>(() => new SdpLine('a', "x\r\ny"));

        var added = session.AddMedia(new SdpMediaLine("text", 5000, null, "RTP/AVP", ["98"]));
        added.Connection = SdpConnection.For(IPAddress.IPv6Loopback);

        Assert.Equal(
            SdpSamples.Ipv6.Replace("s=-\nc=IN IP6 2001:db8::2\n", "s=renamed\n", StringComparison.Ordinal)
            + "m=text 5000 RTP/AVP 98\nc=IN IP6 ::1\n",
            session.ToString());
        Assert.True(session.RemoveMedia(added));
        Assert.Single(session.Media);
    }
}
