using System.Text;
using MediaRelay.Protocols.Sdp;

namespace MediaRelay.Protocols.Tests.Sdp;

public sealed class SdpSessionParseErrorTests
{
    private const string Head = "v=0\ns=-\nt=0 0\n";

    [Theory]
    [InlineData("", "empty")]
    [InlineData("v=1\ns=-\n", "v=0")]
    [InlineData("s=-\nv=0\n", "v=0")]
    [InlineData("v=0 \ns=-\n", "v=0")]
    [InlineData("\nv=0\n", "line 1 is empty")]
    [InlineData("\r\n", "v=0")]
    [InlineData("\n\n", "v=0")]
    [InlineData("v=0\ns=-\n\nt=0 0\n", "line 3 is empty")]
    [InlineData("v=0\nfoo\n", "line 2")]
    [InlineData("v=0\nS=-\n", "line 2")]
    [InlineData("v=0\n=x\n", "line 2")]
    [InlineData("v=0\ns\n", "line 2")]
    [InlineData("v=0\ns =-\n", "line 2")]
    [InlineData("v=0\ns=a\u0000b\n", "control character 0x00")]
    [InlineData("v=0\ns=a\rb\n", "control character 0x0d")]
    [InlineData("v=0\ns=-\r", "control character 0x0d")]
    [InlineData("v=0\ns=\u007f\n", "control character 0x7f")]
    [InlineData("v=0\nv=0\n", "first line")]
    [InlineData("v=0\na=\n", "attribute without a name")]
    [InlineData("v=0\na=:x\n", "attribute without a name")]
    public void Rejects_malformed_structure(string text, string expected)
    {
        Assert.False(SdpSession.TryParse(text, out var session, out var error));
        Assert.Null(session);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("o=- 1 1 IN IP4\n", "six fields")]
    [InlineData("o=- x 1 IN IP4 10.0.0.1\n", "numeric")]
    [InlineData("o=- 1 1 IN IP4 10.0.0.1\no=- 1 1 IN IP4 10.0.0.1\n", "more than one o=")]
    [InlineData("m=audio 1 RTP/AVP 0\no=- 1 1 IN IP4 10.0.0.1\n", "session level")]
    [InlineData("c=IN IP4\n", "c= must be")]
    [InlineData("c=IN IP4 10.0.0.1 x\n", "c= must be")]
    [InlineData("c=ATM IP4 10.0.0.1\n", "network type")]
    [InlineData("c=IN IPX 10.0.0.1\n", "address type")]
    [InlineData("c=IN IP4 10.0.0\n", "valid IP4")]
    [InlineData("c=IN IP4 10.0.0.256\n", "valid IP4")]
    [InlineData("c=IN IP4 1\n", "valid IP4")]
    [InlineData("c=IN IP4 host.example.com\n", "valid IP4")]
    [InlineData("c=IN IP4 2001:db8::1\n", "valid IP4")]
    [InlineData("c=IN IP6 10.0.0.1\n", "valid IP6")]
    [InlineData("c=IN IP6 [2001:db8::1]\n", "valid IP6")]
    [InlineData("c=IN IP6 fe80::1%eth0\n", "valid IP6")]
    [InlineData("c=IN IP4 224.2.1.1/\n", "suffix")]
    [InlineData("c=IN IP4 224.2.1.1/1/2/3\n", "suffix")]
    [InlineData("c=IN IP6 ff15::101/3/1\n", "suffix")]
    [InlineData("c=IN IP4 224.2.1.1/x\n", "suffix")]
    [InlineData("c=IN IP4 10.0.0.1\nc=IN IP4 10.0.0.2\n", "more than one c=")]
    [InlineData("m=audio 4000 RTP/AVP\n", "at least one format")]
    [InlineData("m=audio 4000\n", "at least one format")]
    [InlineData("m=audio x RTP/AVP 0\n", "port 'x'")]
    [InlineData("m=audio -1 RTP/AVP 0\n", "port '-1'")]
    [InlineData("m=audio 65536 RTP/AVP 0\n", "port '65536'")]
    [InlineData("m=audio 100000 RTP/AVP 0\n", "port '100000'")]
    [InlineData("m=audio 4000/0 RTP/AVP 0\n", "port count")]
    [InlineData("m=audio 4000/ RTP/AVP 0\n", "port count")]
    [InlineData("m=audio 1 RTP/AVP 0\nc=IN IP4 10.0.0.1\nc=IN IP4 10.0.0.1\n", "more than one c=")]
    public void Rejects_bad_field_lines(string lines, string expected)
    {
        Assert.False(SdpSession.TryParse(Head + lines, out var session, out var error));
        Assert.Null(session);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("c=IN IP4 0.0.0.0\n")]
    [InlineData("c=IN IP4 224.2.1.1/127\n")]
    [InlineData("c=IN IP6 ::\n")]
    [InlineData("c=IN IP6 ::ffff:10.0.0.1\n")]
    [InlineData("c=IN IP6 ff15::101/3\n")]
    [InlineData("m=audio 0 RTP/AVP 0\n")]
    [InlineData("m=audio 65535 RTP/AVP 0\n")]
    [InlineData("m=application 9 UDP/DTLS/SCTP webrtc-datachannel\n")]
    [InlineData("s=caf\u00e9 \ud83d\ude00\ta\n")]
    [InlineData("x=unknown line types are kept\n")]
    public void Accepts_unusual_but_valid_lines(string lines)
    {
        Assert.True(SdpSession.TryParse(Head + lines, out var session, out var error), error);
        Assert.Equal(Head + lines, session!.ToString());
    }

    [Fact]
    public void Rejects_unpaired_surrogates()
    {
        foreach (var bad in new[] { "v=0\ns=\ud800\n", "v=0\ns=\udc00x\n", "v=0\ns=x\ud800" })
        {
            Assert.False(SdpSession.TryParse(bad, out _, out var error));
            Assert.Contains("surrogate", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Rejects_binary_garbage_and_invalid_utf8()
    {
        var random = new Random(8866);
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(1, 400)];
            random.NextBytes(bytes);
            Assert.False(SdpSession.TryParse(bytes, out _, out var error));
            Assert.NotNull(error);
        }

        Assert.False(SdpSession.TryParse([0x76, 0x3d, 0x30, 0x0a, 0x73, 0x3d, 0xff, 0x0a], out _, out var utf8Error));
        Assert.Equal("SDP is not valid UTF-8", utf8Error);
        Assert.False(SdpSession.TryParse(Encoding.UTF8.GetBytes("v=0\ns=\0\0\0\n"), out _, out _));
        Assert.False(SdpSession.TryParse(new byte[SdpSession.MaxLength + 1], out _, out var longError));
        Assert.Contains("longer", longError, StringComparison.Ordinal);
        Assert.False(SdpSession.TryParse((string?)null, out _, out _));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Truncation_at_every_length_never_throws_and_round_trips_when_accepted(string text)
    {
        for (var length = 0; length <= text.Length; length++)
        {
            var prefix = text[..length];
            if (SdpSession.TryParse(prefix, out var session, out var error))
            {
                Assert.Equal(prefix, session!.ToString());
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Poisoned_bytes_at_every_position_never_throw(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        foreach (var poison in new byte[] { 0xff, 0x00, (byte)'\n', (byte)'=', (byte)' ' })
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                var copy = (byte[])bytes.Clone();
                copy[i] = poison;
                if (SdpSession.TryParse(copy, out var session, out _))
                {
                    Assert.Equal(Encoding.UTF8.GetString(copy), session!.ToString());
                }
            }
        }
    }

    public static TheoryData<string> Samples() => SdpSamples.All();
}
