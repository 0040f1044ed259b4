using System.Text;

namespace MediaRelay.Protocols.Bencode;

/// <summary>
/// A bencode byte string. Bencode strings are raw bytes; ng puts UTF-8 text (and SDP) in them, so
/// <see cref="Text"/> decodes as UTF-8, replacing invalid sequences. One made from text encodes it only when its
/// bytes are asked for (the writer encodes the text straight into its output instead).
/// </summary>
public sealed class BencodeString : BencodeValue
{
    private byte[]? _bytes;
    private string? _text;

    public BencodeString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _text = text;
    }

    public BencodeString(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes.ToArray();
    }

    /// <summary>The raw bytes, as they travel on the wire.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes ??= Encoding.UTF8.GetBytes(_text!);

    /// <summary>The bytes decoded as UTF-8 (computed once).</summary>
    public string Text => _text ??= Encoding.UTF8.GetString(_bytes!);

    /// <summary>The text this string was made from, while its bytes were never asked for; else null.</summary>
    internal string? UnencodedText => _bytes is null ? _text : null;

    public override string ToString() => Text;
}
