using System.Globalization;
using System.Text;

namespace MediaRelay.EndToEnd.Tests.Ng;

/// <summary>
/// The few bencode shapes the ng protocol uses, decoded into plain objects: <see cref="string"/> (byte strings,
/// read as Latin-1 so no byte is lost), <see cref="long"/>, <see cref="List{T}"/> of object and
/// <see cref="SortedDictionary{TKey, TValue}"/> keyed by string. Kept inside the test project so the end-to-end
/// tests judge the relay with code that is not the relay's own.
/// </summary>
internal static class Bencode
{
    public static byte[] Encode(object value)
    {
        var output = new MemoryStream();
        Write(output, value);
        return output.ToArray();
    }

    public static bool TryDecode(ReadOnlySpan<byte> input, out object? value, out string? error)
    {
        var position = 0;
        try
        {
            value = Read(input, ref position, depth: 0);
            if (position != input.Length)
            {
                error = $"{input.Length - position} trailing bytes after the value";
                value = null;
                return false;
            }

            error = null;
            return true;
        }
        catch (FormatException exception)
        {
            value = null;
            error = $"{exception.Message} at offset {position}";
            return false;
        }
    }

    private static void Write(MemoryStream output, object value)
    {
        switch (value)
        {
            case string text:
                WriteBytes(output, Encoding.Latin1.GetBytes(text));
                break;
            case byte[] bytes:
                WriteBytes(output, bytes);
                break;
            case int or long:
                WriteAscii(output, "i" + Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "e");
                break;
            case IDictionary<string, object> dictionary:
                output.WriteByte((byte)'d');
                // Bencode wants keys in raw byte order.
                foreach (var pair in dictionary.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    WriteBytes(output, Encoding.Latin1.GetBytes(pair.Key));
                    Write(output, pair.Value);
                }

                output.WriteByte((byte)'e');
                break;
            case IEnumerable<object> list:
                output.WriteByte((byte)'l');
                foreach (var item in list)
                {
                    Write(output, item);
                }

                output.WriteByte((byte)'e');
                break;
            default:
                throw new ArgumentException($"cannot bencode a {value.GetType().Name}", nameof(value));
        }
    }

    private static void WriteBytes(MemoryStream output, byte[] bytes)
    {
        WriteAscii(output, bytes.Length.ToString(CultureInfo.InvariantCulture) + ":");
        output.Write(bytes);
    }

    private static void WriteAscii(MemoryStream output, string text) => output.Write(Encoding.ASCII.GetBytes(text));

    private static object Read(ReadOnlySpan<byte> input, ref int position, int depth)
    {
        if (depth > 64)
        {
            throw new FormatException("nesting too deep");
        }

        if (position >= input.Length)
        {
            throw new FormatException("truncated value");
        }

        switch (input[position])
        {
            case (byte)'i':
                {
                    var end = input[position..].IndexOf((byte)'e');
                    if (end < 0)
                    {
                        throw new FormatException("unterminated integer");
                    }

                    var digits = Encoding.ASCII.GetString(input.Slice(position + 1, end - 1));
                    position += end + 1;
                    return long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                        ? number
                        : throw new FormatException($"bad integer '{digits}'");
                }

            case (byte)'l':
                {
                    position++;
                    var list = new List<object>();
                    while (position < input.Length && input[position] != (byte)'e')
                    {
                        list.Add(Read(input, ref position, depth + 1));
                    }

                    Expect(input, ref position);
                    return list;
                }

            case (byte)'d':
                {
                    position++;
                    var dictionary = new SortedDictionary<string, object>(StringComparer.Ordinal);
                    while (position < input.Length && input[position] != (byte)'e')
                    {
                        if (Read(input, ref position, depth + 1) is not string key)
                        {
                            throw new FormatException("dictionary key is not a string");
                        }

                        dictionary[key] = Read(input, ref position, depth + 1);
                    }

                    Expect(input, ref position);
                    return dictionary;
                }

            default:
                {
                    var colon = input[position..].IndexOf((byte)':');
                    if (colon <= 0
                        || !int.TryParse(Encoding.ASCII.GetString(input.Slice(position, colon)), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                        || position + colon + 1 + length > input.Length)
                    {
                        throw new FormatException("bad string length");
                    }

                    var text = Encoding.Latin1.GetString(input.Slice(position + colon + 1, length));
                    position += colon + 1 + length;
                    return text;
                }
        }
    }

    private static void Expect(ReadOnlySpan<byte> input, ref int position)
    {
        if (position >= input.Length || input[position] != (byte)'e')
        {
            throw new FormatException("unterminated list or dictionary");
        }

        position++;
    }
}
