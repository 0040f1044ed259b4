namespace MediaRelay.Protocols.Sdp;

/// <summary>
/// One media description (RFC 8866 section 5.14): its m= line, then i=, c=, b=, k= and a= lines.
/// </summary>
public sealed class SdpMedia : SdpSection
{
    private SdpLineParse<SdpMediaLine> _mediaLine;

    internal SdpMedia(List<SdpLine> lines)
        : base(lines)
    {
    }

    /// <summary>A media description whose m= line the reader has parsed already (kept, not parsed again).</summary>
    internal SdpMedia(List<SdpLine> lines, SdpMediaLine parsed)
        : base(lines)
    {
        _mediaLine.Remember(lines[0], parsed);
    }

    /// <summary>The parsed m= line. Setting it rewrites the m= line (fields joined by single spaces).</summary>
    public SdpMediaLine MediaLine
    {
        // Parsed once per m= line: the type, port and protocol are read several times per offer. The reader checked
        // the m= line and only the setter replaces it, so it always parses.
        get => _mediaLine.Get(LineList[0], static value =>
            SdpMediaLine.TryParse(value, out var mediaLine, out _) ? mediaLine : throw new InvalidOperationException("m= line does not parse"))!;

        set
        {
            ArgumentNullException.ThrowIfNull(value);
            var text = value.ToString();
            if (text != LineList[0].Value)
            {
                LineList[0] = new SdpLine('m', text);
            }
        }
    }

    /// <summary>The media type, e.g. "audio".</summary>
    public string MediaType => MediaLine.Media;

    /// <summary>The m= port. Setting it rewrites only the m= line.</summary>
    public int Port
    {
        get => MediaLine.Port;
        set => MediaLine = MediaLine with { Port = value };
    }

    /// <summary>The m= transport protocol. Setting it rewrites only the m= line.</summary>
    public string Proto
    {
        get => MediaLine.Proto;
        set => MediaLine = MediaLine with { Proto = value };
    }

    /// <summary>
    /// The media-level c= line, or null when the media inherits the session-level one. Setting replaces the
    /// first c= line in place or adds one after the m= and i= lines; null removes the media-level c= lines.
    /// </summary>
    public SdpConnection? Connection
    {
        get => ParsedConnection();
        set => SetSingleLine('c', value?.ToString());
    }

    private protected override int Rank(char type) => type switch
    {
        'm' => 0,
        'i' => 1,
        'c' => 2,
        'b' => 3,
        'k' => 5,
        'a' => 6,
        _ => 4,
    };
}
