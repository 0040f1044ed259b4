using System.Globalization;
using System.Text;

namespace MediaRelay.LoadGen.Ng;

/// <summary>
/// The only place that knows bencode. A deliberately small encoder/decoder for ng messages: dictionaries, lists,
/// strings and integers. Swap the body for MediaRelay.Protocols.Bencode once that lands; callers only see
/// <see cref="EncodeCommand"/> and <see cref="TryDecodeReply"/>.
/// Not thread-safe per call; every method is static and allocation is fine here (control plane only).
/// </summary>
internal static class NgCodec
{
    /// <summary>Encodes "cookie d...e". Values may be string, long, int or IReadOnlyList&lt;string&gt;.</summary>
    public static byte[] EncodeCommand(string cookie, IReadOnlyList<KeyValuePair<string, object>> fields)
    {
        var sorted = fields.OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
        using var stream = new MemoryStream(256);
        WriteRaw(stream, cookie);
        stream.WriteByte((byte)' ');
        stream.WriteByte((byte)'d');
        foreach (var field in sorted)
        {
            WriteString(stream, field.Key);
            WriteValue(stream, field.Value);
        }

        stream.WriteByte((byte)'e');
        return stream.ToArray();
    }

    /// <summary>Splits "cookie d...e" and decodes the top-level dictionary. Never throws on wire input.</summary>
    public static bool TryDecodeReply(ReadOnlySpan<byte> datagram, out string cookie, out Dictionary<string, object>? reply)
    {
        cookie = string.Empty;
        reply = null;
        var space = datagram.IndexOf((byte)' ');
        if (space <= 0)
        {
            return false;
        }

        cookie = Encoding.ASCII.GetString(datagram[..space]);
        var body = datagram[(space + 1)..];
        var position = 0;
        if (!TryReadValue(body, ref position, 0, out var value) || value is not Dictionary<string, object> dictionary)
        {
            return false;
        }

        reply = dictionary;
        return true;
    }

    /// <summary>Returns the cookie of a datagram, or null, without decoding the body.</summary>
    public static string? PeekCookie(ReadOnlySpan<byte> datagram)
    {
        var space = datagram.IndexOf((byte)' ');
        return space <= 0 ? null : Encoding.ASCII.GetString(datagram[..space]);
    }

    private static void WriteValue(MemoryStream stream, object value)
    {
        switch (value)
        {
            case string text:
                WriteString(stream, text);
                break;
            case long number:
                WriteRaw(stream, "i" + number.ToString(CultureInfo.InvariantCulture) + "e");
                break;
            case int number:
                WriteRaw(stream, "i" + number.ToString(CultureInfo.InvariantCulture) + "e");
                break;
            case IReadOnlyList<string> list:
                stream.WriteByte((byte)'l');
                foreach (var item in list)
                {
                    WriteString(stream, item);
                }

                stream.WriteByte((byte)'e');
                break;
            default:
                throw new ArgumentException("unsupported bencode value " + value.GetType().Name, nameof(value));
        }
    }

    private static void WriteString(MemoryStream stream, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        WriteRaw(stream, bytes.Length.ToString(CultureInfo.InvariantCulture) + ":");
        stream.Write(bytes);
    }

    private static void WriteRaw(MemoryStream stream, string ascii) => stream.Write(Encoding.ASCII.GetBytes(ascii));

    private static bool TryReadValue(ReadOnlySpan<byte> data, ref int position, int depth, out object? value)
    {
        value = null;
        if (position >= data.Length || depth > 32)
        {
            return false;
        }

        var lead = data[position];
        if (lead == (byte)'i')
        {
            var end = data[position..].IndexOf((byte)'e');
            if (end < 0 || !long.TryParse(data.Slice(position + 1, end - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            position += end + 1;
            value = number;
            return true;
        }

        if (lead == (byte)'l')
        {
            position++;
            var list = new List<object>();
            while (position < data.Length && data[position] != (byte)'e')
            {
                if (!TryReadValue(data, ref position, depth + 1, out var item) || item is null)
                {
                    return false;
                }

                list.Add(item);
            }

            if (position >= data.Length)
            {
                return false;
            }

            position++;
            value = list;
            return true;
        }

        if (lead == (byte)'d')
        {
            position++;
            var dictionary = new Dictionary<string, object>(StringComparer.Ordinal);
            while (position < data.Length && data[position] != (byte)'e')
            {
                if (!TryReadString(data, ref position, out var key)
                    || !TryReadValue(data, ref position, depth + 1, out var item)
                    || item is null)
                {
                    return false;
                }

                dictionary[key] = item;
            }

            if (position >= data.Length)
            {
                return false;
            }

            position++;
            value = dictionary;
            return true;
        }

        if (TryReadString(data, ref position, out var text))
        {
            value = text;
            return true;
        }

        return false;
    }

    private static bool TryReadString(ReadOnlySpan<byte> data, ref int position, out string text)
    {
        text = string.Empty;
        var colon = data[position..].IndexOf((byte)':');
        if (colon <= 0 || !int.TryParse(data.Slice(position, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            return false;
        }

        var start = position + colon + 1;
        if (length < 0 || start + length > data.Length)
        {
            return false;
        }

        text = Encoding.UTF8.GetString(data.Slice(start, length));
        position = start + length;
        return true;
    }
}
