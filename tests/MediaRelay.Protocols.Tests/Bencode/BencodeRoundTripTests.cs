using System.Text;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Protocols.Tests.Bencode;

public class BencodeRoundTripTests
{
    [Theory]
    [InlineData("i0e")]
    [InlineData("i42e")]
    [InlineData("i-42e")]
    [InlineData("i9223372036854775807e")]
    [InlineData("i-9223372036854775808e")]
    [InlineData("0:")]
    [InlineData("4:spam")]
    [InlineData("le")]
    [InlineData("de")]
    [InlineData("l4:spami42ee")]
    [InlineData("d3:cow3:moo4:spam4:eggse")]
    [InlineData("d4:spaml1:a1:bee")]
    [InlineData("d7:command4:ping7:call-id5:abc@1e")]
    [InlineData("d1:zi1e1:ai2ee")] // unsorted keys are accepted and kept in order
    [InlineData("d5:flagsl5:fatal10:trust-addre7:replacel6:origin18:session-connectionee")]
    public void ParseThenWriteGivesTheSameBytes(string wire)
    {
        var bytes = Encoding.ASCII.GetBytes(wire);

        Assert.True(BencodeReader.TryParse(bytes, out var value, out var error), error);
        Assert.Equal(wire, Encoding.ASCII.GetString(BencodeWriter.ToArray(value!)));
    }

    [Fact]
    public void DictionaryKeepsInsertionOrderAndTypes()
    {
        var d = new BencodeDictionary
        {
            { "result", "ok" },
            { "created", 1700000000L },
            { "calls", new BencodeList { "a", "b" } },
        };

        var wire = Encoding.ASCII.GetString(BencodeWriter.ToArray(d));

        Assert.Equal("d6:result2:ok7:createdi1700000000e5:callsl1:a1:bee", wire);
    }

    [Fact]
    public void SetReplacesValueInPlace()
    {
        var d = new BencodeDictionary { { "a", 1L }, { "b", 2L } };

        d.Set("a", new BencodeString("x"));

        Assert.Equal(["a", "b"], d.Entries.Select(e => e.Key));
        Assert.Equal("x", d.GetString("a"));
        Assert.Null(d.GetInteger("a"));
    }

    [Fact]
    public void RemoveKeepsLookupsRight()
    {
        var d = new BencodeDictionary { { "a", 1L }, { "b", 2L }, { "c", 3L } };

        Assert.True(d.Remove("a"));

        Assert.Equal(3L, d.GetInteger("c"));
        Assert.Equal(2L, d.GetInteger("b"));
        Assert.False(d.ContainsKey("a"));
    }

    [Fact]
    public void BinaryStringsSurviveUnchanged()
    {
        byte[] raw = [0x00, 0xFF, 0x80, (byte)'e', (byte)':'];
        var list = new BencodeList { new BencodeString(raw) };

        var wire = BencodeWriter.ToArray(list);
        Assert.True(BencodeReader.TryParse(wire, out var value, out _));

        Assert.Equal(raw, ((BencodeString)((BencodeList)value!).Items[0]).Bytes.ToArray());
    }

    [Fact]
    public void Utf8TextRoundTrips()
    {
        var d = new BencodeDictionary { { "name", "Zoë ☎" } };

        Assert.True(BencodeReader.TryParse(BencodeWriter.ToArray(d), out var value, out _));

        Assert.Equal("Zoë ☎", ((BencodeDictionary)value!).GetString("name"));
    }

    [Fact]
    public void DuplicateKeyTakesLastValue()
    {
        Assert.True(BencodeReader.TryParse("d1:ai1e1:ai2ee"u8, out var value, out _));

        var d = (BencodeDictionary)value!;
        Assert.Equal(1, d.Count);
        Assert.Equal(2L, d.GetInteger("a"));
    }

    [Fact]
    public void NestingUpToTheLimitIsAccepted()
    {
        var wire = new string('l', BencodeReader.MaxDepth) + new string('e', BencodeReader.MaxDepth);

        Assert.True(BencodeReader.TryParse(Encoding.ASCII.GetBytes(wire), out _, out var error), error);
    }
}
