using System.Buffers;
using System.Buffers.Text;

namespace MediaRelay.Protocols.Bencode;

/// <summary>
/// Writes a bencode tree. Dictionary keys are written in insertion order, not sorted: rtpengine and the proxies
/// that talk to it accept any order, and insertion order keeps replies readable (<c>result</c> first).
/// Threading: stateless, safe from any thread.
/// </summary>
public static class BencodeWriter
{
    public static void Write(BencodeValue value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(output);
        WriteValue(value, output, 0);
    }

    public static byte[] ToArray(BencodeValue value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteValue(BencodeValue value, IBufferWriter<byte> output, int depth)
    {
        // Trees are built by our own code; the limit only turns a cycle into an error instead of a stack overflow.
        if (depth > 1000)
        {
            throw new InvalidOperationException("bencode tree too deep or cyclic");
        }

        switch (value)
        {
            case BencodeString s:
                if (s.UnencodedText is { } text)
                {
                    WriteKey(text, output);
                }
                else
                {
                    WriteString(s.Bytes.Span, output);
                }

                break;
            case BencodeInteger i:
                WriteInteger(i.Value, output);
                break;
            case BencodeList l:
                WriteByte((byte)'l', output);
                foreach (var item in l.Items)
                {
                    WriteValue(item, output, depth + 1);
                }

                WriteByte((byte)'e', output);
                break;
            case BencodeDictionary d:
                WriteByte((byte)'d', output);
                foreach (var entry in d.EntrySpan)
                {
                    WriteKey(entry.Key, output);
                    WriteValue(entry.Value, output, depth + 1);
                }

                WriteByte((byte)'e', output);
                break;
            default:
                throw new ArgumentException($"unknown bencode node {value.GetType().Name}", nameof(value));
        }
    }

    /// <summary>
    /// A text as a bencode string (length, colon, UTF-8), encoded straight into the output with one span: keys and
    /// short values are most of a reply's tokens, and each writer call is an interface call.
    /// </summary>
    private static void WriteKey(string key, IBufferWriter<byte> output)
    {
        if (key.Length <= 128 && System.Text.Ascii.IsValid(key))
        {
            // ASCII: as many bytes as characters, so the length is known before encoding.
            var span = output.GetSpan(4 + key.Length);
            Utf8Formatter.TryFormat(key.Length, span, out var digits);
            span[digits] = (byte)':';
            System.Text.Ascii.FromUtf16(key, span[(digits + 1)..], out _);
            output.Advance(digits + 1 + key.Length);
            return;
        }

        var length = System.Text.Encoding.UTF8.GetByteCount(key);
        WriteNumber(length, output);
        WriteByte((byte)':', output);
        var rest = output.GetSpan(length);
        System.Text.Encoding.UTF8.GetBytes(key, rest);
        output.Advance(length);
    }

    private static void WriteString(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        if (bytes.Length <= 256)
        {
            var span = output.GetSpan(4 + bytes.Length);
            Utf8Formatter.TryFormat(bytes.Length, span, out var digits);
            span[digits] = (byte)':';
            bytes.CopyTo(span[(digits + 1)..]);
            output.Advance(digits + 1 + bytes.Length);
            return;
        }

        WriteNumber(bytes.Length, output);
        WriteByte((byte)':', output);
        output.Write(bytes);
    }

    /// <summary>i, the number, e: one span.</summary>
    private static void WriteInteger(long number, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(22);
        span[0] = (byte)'i';
        Utf8Formatter.TryFormat(number, span[1..], out var written);
        span[1 + written] = (byte)'e';
        output.Advance(written + 2);
    }

    private static void WriteNumber(long number, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(number, span, out var written);
        output.Advance(written);
    }

    private static void WriteByte(byte b, IBufferWriter<byte> output)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}
