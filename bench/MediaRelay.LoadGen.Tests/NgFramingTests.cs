using System.Text;
using MediaRelay.LoadGen.Ng;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.LoadGen.Tests;

public sealed class NgFramingTests
{
    [Fact]
    public void EncodesKeysSortedWithListsAndStrings()
    {
        var bytes = NgClient.EncodeCommand("c1", new BencodeDictionary
        {
            { "sdp", "v=0" },
            { "command", "offer" },
            { "replace", new BencodeList { "origin" } },
        });

        Assert.Equal("c1 d7:command5:offer7:replacel6:origine3:sdp3:v=0e", Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public void DecodesReplyAndRejectsTruncation()
    {
        var reply = "abc d6:result2:ok3:sdp5:v=0\r\n4:listli1e2:xxee"u8.ToArray();

        Assert.True(NgClient.TryDecodeReply(reply, out var cookie, out var dictionary));
        Assert.Equal("abc", cookie);
        Assert.Equal("ok", dictionary!.GetString("result"));
        Assert.Equal("v=0\r\n", dictionary.GetString("sdp"));
        Assert.Equal(2, dictionary.GetList("list")!.Count);
        Assert.Equal("abc", NgClient.PeekCookie(reply));
        for (var length = 0; length < reply.Length; length++)
        {
            Assert.False(NgClient.TryDecodeReply(reply.AsSpan(0, length), out _, out _));
        }
    }

    [Fact]
    public void RejectsAReplyThatIsNotADictionary()
    {
        Assert.False(NgClient.TryDecodeReply("abc l2:oke"u8, out _, out _));
        Assert.False(NgClient.TryDecodeReply("nospace"u8, out _, out _));
    }

    [Fact]
    public void ReadsTheAudioEndpointFromRelaySdp()
    {
        const string Sdp = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0\r\na=rtcp:20001\r\n";

        Assert.True(SdpText.TryParseAudioEndpoint(Sdp, out var endpoint));
        Assert.Equal("127.0.0.1:20000", endpoint!.ToString());
    }
}
