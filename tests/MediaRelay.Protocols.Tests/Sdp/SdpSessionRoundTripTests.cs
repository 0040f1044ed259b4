using System.Net;
using System.Text;
using MediaRelay.Protocols.Sdp;

namespace MediaRelay.Protocols.Tests.Sdp;

public sealed class SdpSessionRoundTripTests
{
    [Theory]
    [MemberData(nameof(Samples))]
    public void Parses_and_renders_byte_for_byte(string text)
    {
        Assert.True(SdpSession.TryParse(text, out var session, out var error), error);
        Assert.Equal(text, session!.ToString());
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Utf8_overload_matches_string_overload(string text)
    {
        Assert.True(SdpSession.TryParse(Encoding.UTF8.GetBytes(text), out var session, out var error), error);
        Assert.Equal(text, session!.ToString());
    }

    public static TheoryData<string> Samples() => SdpSamples.All();

    [Fact]
    public void Keeps_mixed_line_endings_missing_final_newline_and_trailing_blank_line()
    {
        const string mixed = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\ns=-\r\nc=IN IP4 10.0.0.1\nt=0 0\r\nm=audio 4000 RTP/AVP 0";
        Assert.True(SdpSession.TryParse(mixed, out var session, out _));
        Assert.Equal(mixed, session!.ToString());
        Assert.Equal("\r\n", session.NewLine);

        const string trailing = "v=0\r\ns=-\r\nt=0 0\r\n\r\n";
        Assert.True(SdpSession.TryParse(trailing, out session, out _));
        Assert.Equal(trailing, session!.ToString());
    }

    [Fact]
    public void Keeps_odd_spacing_of_lines_it_does_not_change()
    {
        const string text = "v=0\no=-  1 1  IN IP4 10.0.0.1\ns=  \nt=0 0\nm=audio  4000 RTP/AVP  0 8\na=x:  y\n";
        Assert.True(SdpSession.TryParse(text, out var session, out _));
        Assert.Equal(text, session!.ToString());
        Assert.Equal(4000, session.Media[0].Port);
        Assert.Equal(["0", "8"], session.Media[0].MediaLine.Formats);
    }

    [Fact]
    public void Exposes_the_model_of_an_audio_video_offer()
    {
        Assert.True(SdpSession.TryParse(SdpSamples.ZoiperAudioVideo, out var session, out _));

        var origin = session!.Origin!;
        Assert.Equal("Z", origin.Username);
        Assert.Equal("1700000000000", origin.SessionId);
        Assert.Equal("IP4", origin.AddressType);
        Assert.Equal(IPAddress.Parse("10.0.0.5"), origin.IPAddress);
        Assert.Equal(IPAddress.Parse("10.0.0.5"), session.Connection!.Address);

        Assert.Equal(2, session.Media.Count);
        var audio = session.Media[0];
        Assert.Equal("audio", audio.MediaType);
        Assert.Equal(8000, audio.Port);
        Assert.Null(audio.MediaLine.PortCount);
        Assert.Equal("RTP/AVP", audio.Proto);
        Assert.Equal(["106", "9", "98", "101", "0", "8", "3"], audio.MediaLine.Formats);
        Assert.Null(audio.Connection);
        Assert.True(audio.HasAttribute("rtcp-mux"));
        Assert.True(audio.HasAttribute("SENDRECV"));
        Assert.True(audio.TryGetAttribute("fmtp", out var fmtp));
        Assert.Equal("106 sprop-maxcapturerate=16000; minptime=20; useinbandfec=1", fmtp.Value);
        Assert.Equal(3, audio.GetAttributes("fmtp").Count);

        var video = session.Media[1];
        Assert.Equal("video", video.MediaType);
        Assert.Equal('b', video.Lines[1].Type);
        Assert.Equal(["* nack", "* nack pli"], video.GetAttributes("rtcp-fb").Select(a => a.Value));
        Assert.Empty(session.Attributes);
    }

    [Fact]
    public void Exposes_ipv6_media_level_connection_and_port_count()
    {
        Assert.True(SdpSession.TryParse(SdpSamples.Ipv6, out var session, out _));
        Assert.Equal("IP6", session!.Connection!.AddressType);
        Assert.Equal(IPAddress.Parse("2001:db8::2"), session.Connection.Address);
        Assert.Equal(IPAddress.Parse("2001:db8::2"), session.Origin!.IPAddress);

        Assert.True(SdpSession.TryParse("v=0\ns=-\nt=0 0\nm=video 49170/2 RTP/AVP 31\nc=IN IP4 224.2.1.1/127/3\n", out session, out _));
        var media = session!.Media[0];
        Assert.Equal(2, media.MediaLine.PortCount);
        Assert.Equal("/127/3", media.Connection!.Suffix);
        Assert.Equal("IN IP4 224.2.1.1/127/3", media.Connection.ToString());
        Assert.Null(session.Origin);
        Assert.Null(session.Connection);
    }
}
