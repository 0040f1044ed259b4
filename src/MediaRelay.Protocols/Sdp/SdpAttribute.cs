namespace MediaRelay.Protocols.Sdp;

/// <summary>
/// An "a=" line seen as an attribute (RFC 8866 section 5.13): a name and, for value attributes, the text after
/// the first colon. A property attribute such as "a=rtcp-mux" has a null value.
/// </summary>
/// <param name="Name">The attribute name, e.g. "rtpmap".</param>
/// <param name="Value">The text after the first ':' (may be empty), or null for a property attribute.</param>
public readonly record struct SdpAttribute(string Name, string? Value)
{
    /// <summary>Splits an a= line value at its first colon.</summary>
    public static SdpAttribute FromLineValue(string lineValue)
    {
        ArgumentNullException.ThrowIfNull(lineValue);
        var colon = lineValue.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? new SdpAttribute(lineValue, null) : new SdpAttribute(lineValue[..colon], lineValue[(colon + 1)..]);
    }

    /// <summary>The name part of an a= line value (before the first colon), without allocating.</summary>
    public static ReadOnlySpan<char> NameOf(string lineValue)
    {
        ArgumentNullException.ThrowIfNull(lineValue);
        var colon = lineValue.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? lineValue : lineValue.AsSpan(0, colon);
    }

    /// <summary>The value part of an a= line value (after the first colon; empty for a property attribute), without allocating.</summary>
    public static ReadOnlySpan<char> ValueOf(string lineValue)
    {
        ArgumentNullException.ThrowIfNull(lineValue);
        var colon = lineValue.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? [] : lineValue.AsSpan(colon + 1);
    }

    /// <summary>True when the a= line value's name is <paramref name="name"/>, ignoring ASCII case, as <see cref="Is"/>.</summary>
    public static bool LineIs(string lineValue, string name) => NameOf(lineValue).Equals(name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The text after "a=".</summary>
    public string ToLineValue() => Value is null ? Name : $"{Name}:{Value}";

    /// <summary>True when the name matches, ignoring ASCII case (names are case-insensitive in practice).</summary>
    public bool Is(string name) => string.Equals(Name, name, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => "a=" + ToLineValue();
}
