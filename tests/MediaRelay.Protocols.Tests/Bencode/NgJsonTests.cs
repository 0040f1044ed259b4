using System.Text;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Protocols.Tests.Bencode;

public class NgJsonTests
{
    [Fact]
    public void ParsesObjectsArraysStringsAndIntegers()
    {
        Assert.True(NgJson.TryParse("""{"command":"delete","call-id":"c1","delete delay":0,"flags":["fatal"]}"""u8, out var value, out var error), error);

        var d = Assert.IsType<BencodeDictionary>(value);
        Assert.Equal("delete", d.GetString("command"));
        Assert.Equal("c1", d.GetString("call-id"));
        Assert.Equal(0L, d.GetInteger("delete delay"));
        Assert.Equal("fatal", d.GetList("flags")!.Items[0].AsText());
    }

    [Fact]
    public void WritesTheSameTreeBack()
    {
        var json = """{"result":"ok","created":1700000000,"calls":["a","b"],"totals":{"RTP":{"packets":3}}}""";

        Assert.True(NgJson.TryParse(Encoding.UTF8.GetBytes(json), out var value, out _));

        Assert.Equal(json, Encoding.UTF8.GetString(NgJson.ToArray(value!)));
    }

    [Fact]
    public void SdpTextIsNotEscapedBeyondJsonRules()
    {
        var d = new BencodeDictionary { { "sdp", "v=0\r\na=rtpmap:0 PCMU/8000\r\n" } };

        Assert.Equal("""{"sdp":"v=0\r\na=rtpmap:0 PCMU/8000\r\n"}""", Encoding.UTF8.GetString(NgJson.ToArray(d)));
    }

    [Fact]
    public void BooleansNullsAndFractionsMapToBencodeForms()
    {
        Assert.True(NgJson.TryParse("""{"a":true,"b":false,"c":null,"d":1.5}"""u8, out var value, out _));

        var d = (BencodeDictionary)value!;
        Assert.Equal(1L, d.GetInteger("a"));
        Assert.Equal(0L, d.GetInteger("b"));
        Assert.False(d.ContainsKey("c"));
        Assert.Equal("1.5", d.GetString("d"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"a\":}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{\"a\":1}}")]
    [InlineData("{\"a\":1} x")]
    [InlineData("null")]
    [InlineData("{'a':1}")]
    public void MalformedJsonIsRejected(string json)
    {
        Assert.False(NgJson.TryParse(Encoding.UTF8.GetBytes(json), out var value, out var error));
        Assert.Null(value);
        Assert.NotNull(error);
    }

    [Fact]
    public void EveryTruncationIsRejected()
    {
        var bytes = """{"command":"query","call-id":"abc","flags":["x","y"],"n":12}"""u8.ToArray();

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(NgJson.TryParse(bytes.AsSpan(0, length), out _, out _), $"prefix {length}");
        }
    }

    [Fact]
    public void InvalidUtf8InAStringIsRejectedNotThrown()
    {
        byte[] bytes = [(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}'];

        Assert.False(NgJson.TryParse(bytes, out _, out _));
    }

    [Fact]
    public void DepthBombIsRejected()
    {
        var json = new string('[', 100) + new string(']', 100);

        Assert.False(NgJson.TryParse(Encoding.ASCII.GetBytes(json), out _, out _));
    }

    [Fact]
    public void RandomGarbageNeverThrows()
    {
        var random = new Random(99);
        var buffer = new byte[40];
        for (var i = 0; i < 5_000; i++)
        {
            var length = random.Next(buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            buffer[0] = (byte)'{';
            NgJson.TryParse(buffer.AsSpan(0, length), out _, out _);
        }

        Assert.True(NgJson.TryParse("{}"u8, out _, out _));
    }
}
