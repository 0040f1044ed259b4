using System.Text;

namespace MediaRelay.Protocols.Bencode;

/// <summary>
/// A bencode byte string. Bencode strings are raw bytes; ng puts UTF-8 text (and SDP) in them, so
/// <see cref="Text"/> decodes as UTF-8, replacing invalid sequences.
/// </summary>
public sealed class BencodeString : BencodeValue
{
    private readonly byte[] _bytes;
    private string? _text;

    public BencodeString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _bytes = Encoding.UTF8.GetBytes(text);
        _text = text;
    }

    public BencodeString(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes.ToArray();
    }

    /// <summary>The raw bytes, as they travel on the wire.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>The bytes decoded as UTF-8 (computed once).</summary>
    public string Text => _text ??= Encoding.UTF8.GetString(_bytes);

    public override string ToString() => Text;
}
