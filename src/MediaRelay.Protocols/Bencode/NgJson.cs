using System.Buffers;
using System.Text.Json;

namespace MediaRelay.Protocols.Bencode;

/// <summary>
/// The JSON form of ng messages, mapped onto the bencode tree so one command model serves both: objects are
/// dictionaries, arrays lists, strings strings, integral numbers integers. Other JSON values have no bencode
/// form and are mapped as follows: a non-integral number becomes the string of its JSON text, true and false
/// become the integers 1 and 0, null is dropped. Threading: stateless, safe from any thread.
/// </summary>
public static class NgJson
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = BencodeReader.MaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        SkipValidation = true,
        // ng bodies carry SDP; keep it readable (no \u escapes for '+', '<', '&' and the like).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Parses one JSON value spanning the whole input. Never throws on wire input.</summary>
    public static bool TryParse(ReadOnlySpan<byte> input, out BencodeValue? value, out string? error)
    {
        value = null;
        var reader = new Utf8JsonReader(input, ReaderOptions);
        try
        {
            // Utf8JsonReader reports malformed input only by throwing; this is the one place we translate that.
            if (!reader.Read())
            {
                error = "empty JSON";
                return false;
            }

            value = ReadValue(ref reader);
            if (value is null)
            {
                error = "JSON null at top level";
                return false;
            }

            if (reader.Read())
            {
                value = null;
                error = "trailing data after JSON value";
                return false;
            }
        }
        catch (JsonException e)
        {
            value = null;
            error = e.Message;
            return false;
        }
        catch (InvalidOperationException e)
        {
            // GetString reports invalid UTF-8 inside a string this way.
            value = null;
            error = e.Message;
            return false;
        }

        error = null;
        return true;
    }

    public static void Write(BencodeValue value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        WriteValue(writer, value);
        writer.Flush();
    }

    public static byte[] ToArray(BencodeValue value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static BencodeValue? ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var dictionary = new BencodeDictionary();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    var item = ReadValue(ref reader);
                    if (item is not null)
                    {
                        dictionary.Set(key, item);
                    }
                }

                return dictionary;
            case JsonTokenType.StartArray:
                var list = new BencodeList();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var item = ReadValue(ref reader);
                    if (item is not null)
                    {
                        list.Items.Add(item);
                    }
                }

                return list;
            case JsonTokenType.String:
                return new BencodeString(reader.GetString()!);
            case JsonTokenType.Number:
                return reader.TryGetInt64(out var number)
                    ? new BencodeInteger(number)
                    : new BencodeString(reader.ValueSpan);
            case JsonTokenType.True:
                return new BencodeInteger(1);
            case JsonTokenType.False:
                return new BencodeInteger(0);
            default:
                return null;
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, BencodeValue value)
    {
        switch (value)
        {
            case BencodeString s:
                writer.WriteStringValue(s.Text);
                break;
            case BencodeInteger i:
                writer.WriteNumberValue(i.Value);
                break;
            case BencodeList l:
                writer.WriteStartArray();
                foreach (var item in l.Items)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            case BencodeDictionary d:
                writer.WriteStartObject();
                foreach (var entry in d.Entries)
                {
                    writer.WritePropertyName(entry.Key);
                    WriteValue(writer, entry.Value);
                }

                writer.WriteEndObject();
                break;
            default:
                throw new ArgumentException($"unknown bencode node {value.GetType().Name}", nameof(value));
        }
    }
}
