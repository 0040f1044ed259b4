using System.Text;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Protocols.Tests.Bencode;

public class BencodeMalformedTests
{
    public static TheoryData<string> ValidMessages =>
    [
        "d7:command4:ping7:call-id5:abc@1e",
        "d7:command5:offer3:sdp29:v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n5:flagsl10:trust-addre7:replacel6:originee",
        "li-12ei0e0:le4:spamdee",
        "d4:tagsd3:abcd6:mediasld5:indexi1eeeeee",
    ];

    [Theory]
    [InlineData("")]
    [InlineData("i03e")]
    [InlineData("i-0e")]
    [InlineData("i-03e")]
    [InlineData("ie")]
    [InlineData("i-e")]
    [InlineData("i1")]
    [InlineData("i1.5e")]
    [InlineData("i 1e")]
    [InlineData("i+1e")]
    [InlineData("i9223372036854775808e")]
    [InlineData("i-9223372036854775809e")]
    [InlineData("i99999999999999999999999e")]
    [InlineData("99999999999:")]
    [InlineData("99999999999999999999999999:abc")]
    [InlineData("2147483648:abc")]
    [InlineData("5:abc")]
    [InlineData("05:abcde")]
    [InlineData("-1:a")]
    [InlineData(":abc")]
    [InlineData("4spam")]
    [InlineData("l")]
    [InlineData("l4:spam")]
    [InlineData("d")]
    [InlineData("d3:key")]
    [InlineData("di1ei2ee")] // integer key
    [InlineData("dle1:ae")] // list key
    [InlineData("d1:ae")] // key without value
    [InlineData("e")]
    [InlineData("x")]
    [InlineData("i1ei2e")] // two values
    [InlineData("4:spamx")] // trailing garbage
    [InlineData("{\"command\":\"ping\"}")] // JSON is not bencode
    public void MalformedInputIsRejected(string wire)
    {
        Assert.False(BencodeReader.TryParse(Encoding.ASCII.GetBytes(wire), out var value, out var error));
        Assert.Null(value);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [MemberData(nameof(ValidMessages))]
    public void EveryTruncationIsRejectedWithoutThrowing(string wire)
    {
        var bytes = Encoding.ASCII.GetBytes(wire);
        Assert.True(BencodeReader.TryParse(bytes, out _, out _));

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(BencodeReader.TryParse(bytes.AsSpan(0, length), out var value, out _), $"prefix {length}");
            Assert.Null(value);
        }
    }

    [Theory]
    [MemberData(nameof(ValidMessages))]
    public void ParsesInsideABufferPoisonedWith0xFF(string wire)
    {
        var bytes = Encoding.ASCII.GetBytes(wire);
        var buffer = new byte[bytes.Length + 64];
        Array.Fill(buffer, (byte)0xFF);
        bytes.CopyTo(buffer, 32);

        var slice = buffer.AsSpan(32, bytes.Length);
        Assert.True(BencodeReader.TryParse(slice, out var value, out var error), error);
        Assert.Equal(bytes, BencodeWriter.ToArray(value!));

        // Every truncation inside the poisoned buffer is still rejected: the reader never looks past its span.
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(BencodeReader.TryParse(buffer.AsSpan(32, length), out _, out _));
        }
    }

    [Fact]
    public void DepthBombIsRejected()
    {
        var depth = BencodeReader.MaxDepth + 1;
        var wire = Encoding.ASCII.GetBytes(new string('l', depth) + new string('e', depth));

        Assert.False(BencodeReader.TryParse(wire, out _, out var error));
        Assert.Contains("deep", error);
    }

    [Fact]
    public void HugeDepthBombDoesNotOverflowTheStack()
    {
        var wire = new byte[1_000_000];
        Array.Fill(wire, (byte)'d');

        Assert.False(BencodeReader.TryParse(wire, out _, out _));
    }

    [Fact]
    public void RandomGarbageNeverThrows()
    {
        var random = new Random(1234);
        var alphabet = "ildeE0123456789:-x"u8.ToArray();
        var buffer = new byte[48];
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(buffer.Length);
            for (var j = 0; j < length; j++)
            {
                buffer[j] = i % 2 == 0 ? alphabet[random.Next(alphabet.Length)] : (byte)random.Next(256);
            }

            if (BencodeReader.TryParse(buffer.AsSpan(0, length), out var value, out _))
            {
                // Whatever parsed must write back to the same bytes: the reader accepts only canonical forms.
                Assert.Equal(buffer.AsSpan(0, length).ToArray(), BencodeWriter.ToArray(value!));
            }
        }
    }

    [Fact]
    public void AbsurdLengthDoesNotAllocate()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var rejected = !BencodeReader.TryParse("2147483647:x"u8, out _, out _);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(rejected);
        Assert.True(allocated < 4096, $"allocated {allocated} bytes");
    }
}
