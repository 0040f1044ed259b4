namespace MediaRelay.Protocols.Sdp;

/// <summary>
/// The parse of one line of a section (its m=, o= or c= line), kept while that line stays: lines are immutable and
/// replaced, never edited, so the line's identity tells whether the parse is still the line's. The reader hands over
/// what it parsed while checking, and the offer path's many reads parse nothing again. A mutable struct: held in a
/// field of its section and used through it, never copied.
/// </summary>
internal struct SdpLineParse<T>
    where T : class
{
    private SdpLine? _line;
    private T? _value;

    /// <summary>The parse of <paramref name="line"/> (null for no line): the kept one, or <paramref name="parse"/>'s.</summary>
    public T? Get(SdpLine? line, Func<string, T?> parse)
    {
        if (!ReferenceEquals(line, _line))
        {
            _value = line is null ? null : parse(line.Value);
            _line = line;
        }

        return _value;
    }

    /// <summary>Keeps a parse made elsewhere (the reader's) for <paramref name="line"/>.</summary>
    public void Remember(SdpLine line, T value)
    {
        _line = line;
        _value = value;
    }
}
