namespace MediaRelay.Protocols.Sdp;

/// <summary>
/// One "&lt;type&gt;=&lt;value&gt;" line of a session description (RFC 8866 section 5). Immutable: changing a line
/// means replacing it in its section. A line read from text remembers its line ending so that the session renders
/// it back byte for byte; a line made by code takes the session's line ending.
/// </summary>
public sealed class SdpLine
{
    /// <summary>Creates a line made by code.</summary>
    /// <param name="type">The line type, a lower-case ASCII letter.</param>
    /// <param name="value">The text after "=", without any line ending.</param>
    /// <exception cref="ArgumentException">The type is not a letter a-z or the value holds CR or LF.</exception>
    public SdpLine(char type, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (type is < 'a' or > 'z')
        {
            throw new ArgumentException("An SDP line type is a letter a-z.", nameof(type));
        }

        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("An SDP line value cannot hold CR or LF.", nameof(value));
        }

        Type = type;
        Value = value;
    }

    internal SdpLine(char type, string value, string terminator)
    {
        Type = type;
        Value = value;
        Terminator = terminator;
    }

    /// <summary>The line type: 'v', 'o', 's', 'c', 'm', 'a', ...</summary>
    public char Type { get; }

    /// <summary>The text after "=".</summary>
    public string Value { get; }

    /// <summary>True for a line read from text and not replaced since.</summary>
    public bool IsOriginal => Terminator is not null;

    /// <summary>The line ending it was read with: "\r\n", "\n", or "" for a final line without one; null for a line made by code.</summary>
    internal string? Terminator { get; }

    /// <summary>The line without its line ending, e.g. "a=rtcp-mux".</summary>
    public override string ToString() => $"{Type}={Value}";
}
