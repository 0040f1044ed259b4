using System.Globalization;

namespace MediaRelay.Protocols.Bencode;

/// <summary>A bencode integer, 64-bit signed.</summary>
public sealed class BencodeInteger(long value) : BencodeValue
{
    public long Value { get; } = value;

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
