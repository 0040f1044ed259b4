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

    [Theory]
    [InlineData("", 0)]
    [InlineData("a", 9)]
    [InlineData("caf\u00e9-\u4e2d", 99)] // not ASCII: length in UTF-8 bytes
    [InlineData("x", 128)] // at and past the writer's short-token limits
    [InlineData("y", 129)]
    [InlineData("z", 300)]
    public void Keys_and_texts_of_every_length_and_script_are_written_as_utf8_with_their_byte_length(string unit, int repeat)
    {
        var text = string.Concat(Enumerable.Repeat(unit, Math.Max(1, repeat)));
        if (unit.Length == 0)
        {
            text = string.Empty;
        }

        var d = new BencodeDictionary { { text, text }, { "n", long.MinValue }, { "m", long.MaxValue } };

        var bytes = BencodeWriter.ToArray(d);

        var utf8 = Encoding.UTF8.GetBytes(text);
        var expected = Encoding.UTF8.GetBytes($"d{utf8.Length}:").Concat(utf8).Concat(Encoding.UTF8.GetBytes($"{utf8.Length}:")).Concat(utf8)
            .Concat(Encoding.ASCII.GetBytes("1:ni-9223372036854775808e1:mi9223372036854775807ee")).ToArray();
        Assert.Equal(expected, bytes);
        Assert.True(BencodeReader.TryParse(bytes, out var back, out var error), error);
        Assert.Equal(text, ((BencodeDictionary)back!).GetString(text));
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
