using MediaRelay.Control.Ng;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Tests.Ng;

public class NgRequestTests
{
    [Theory]
    [InlineData("call-id", "call id")]
    [InlineData("Call_ID", "call id")]
    [InlineData(" Call ID ", "call id")]
    [InlineData("RTCP-MUX", "rtcp mux")]
    [InlineData("trust_address", "trust address")]
    public void NamesNormaliseAlike(string name, string expected) => Assert.Equal(expected, NgNames.Normalize(name));

    [Fact]
    public void ListsMayBeListsOrSingleStrings()
    {
        var request = new NgRequest(new BencodeDictionary
        {
            { "replace", new BencodeList { "origin", "session-connection" } },
            { "ICE", "remove" },
            { "rtcp-mux", new BencodeList { "demux" } },
        });

        Assert.Equal(["origin", "session connection"], request.GetNormalizedList("replace"));
        Assert.Equal(["remove"], request.GetList("ice"));
        Assert.True(request.ListContains("rtcp_mux", "DEMUX"));
        Assert.Empty(request.GetList("direction"));
    }

    [Fact]
    public void FlagsAreNormalisedAndKeyValueFlagsAnswerGetters()
    {
        var request = new NgRequest(new BencodeDictionary
        {
            { "flags", new BencodeList { "Trust-Address", "SIP_source_address", "delete-delay=7", "label=abc" } },
        });

        Assert.True(request.HasFlag("trust address"));
        Assert.True(request.HasFlag("sip-source-address"));
        Assert.False(request.HasFlag("fatal"));
        Assert.Equal(7L, request.GetInteger("delete delay"));
        Assert.Equal("abc", request.GetString("label"));
        Assert.Equal(["trust address", "sip source address"], request.Flags);
    }

    [Fact]
    public void IntegersReadFromIntegersOrDigitStrings()
    {
        var request = new NgRequest(new BencodeDictionary
        {
            { "a", 5L },
            { "b", "12" },
            { "c", "twelve" },
            { "d", new BencodeList() },
        });

        Assert.Equal(5L, request.GetInteger("a"));
        Assert.Equal("5", request.GetString("a"));
        Assert.Equal(12L, request.GetInteger("b"));
        Assert.Null(request.GetInteger("c"));
        Assert.Null(request.GetInteger("d"));
        Assert.Null(request.GetString("d"));
        Assert.Null(request.GetInteger("missing"));
    }

    [Fact]
    public void SupportsReadsTheSupportsList()
    {
        Assert.True(new NgRequest(new BencodeDictionary { { "supports", new BencodeList { "load-limit" } } }).Supports("load limit"));
        Assert.True(new NgRequest(new BencodeDictionary { { "supports", "load limit" } }).Supports("load limit"));
        Assert.False(new NgRequest(new BencodeDictionary()).Supports("load limit"));
    }

    [Fact]
    public void CommandAndWellKnownKeys()
    {
        var request = new NgRequest(new BencodeDictionary
        {
            { "command", "Start_Recording" },
            { "Call-ID", "c" },
            { "from tag", "f" },
            { "To_Tag", "t" },
            { "via-branch", "v" },
            { "SDP", "v=0" },
        });

        Assert.Equal("start recording", request.Command);
        Assert.Equal(("c", "f", "t", "v", "v=0"), (request.CallId, request.FromTag, request.ToTag, request.ViaBranch, request.Sdp));
    }
}
