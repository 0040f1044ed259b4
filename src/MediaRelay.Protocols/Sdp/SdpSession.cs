using System.Text;
using System.Text.Unicode;

namespace MediaRelay.Protocols.Sdp;

/// <summary>
/// A session description (RFC 8866, formerly RFC 4566) held as its lines: the session level and the media
/// descriptions. <see cref="ToString"/> reproduces every line that was not changed byte for byte, with its
/// original line ending (CRLF or LF) and a missing final newline kept missing; new lines take the line ending of
/// the first line. Not thread-safe: one caller edits a session at a time.
/// </summary>
public sealed class SdpSession : SdpSection
{
    /// <summary>The largest SDP accepted, in characters. SIP bodies are far smaller; this bounds the work per message.</summary>
    public const int MaxLength = 256 * 1024;

    private readonly List<SdpMedia> _media;
    private readonly bool _endsWithNewline;
    private readonly string _trailer;
    private SdpLineParse<SdpOrigin> _origin;

    internal SdpSession(List<SdpLine> sessionLines, List<SdpMedia> media, string newLine, bool endsWithNewline, string trailer)
        : base(sessionLines)
    {
        _media = media;
        NewLine = newLine;
        _endsWithNewline = endsWithNewline;
        _trailer = trailer;
    }

    /// <summary>The line ending new lines get: that of the first line, or CRLF when it had none.</summary>
    public string NewLine { get; }

    /// <summary>The media descriptions, in m= line order.</summary>
    public IReadOnlyList<SdpMedia> Media => _media;

    /// <summary>The parsed o= line, or null when there is none. Setting rewrites it in place (or adds it after v=); null removes it.</summary>
    public SdpOrigin? Origin
    {
        // Parsed once per o= line (read several times per offer); a setter replaces the line, so the parse follows.
        get => _origin.Get(FindLine('o'), static value => SdpOrigin.TryParse(value, out var origin, out _) ? origin : null);

        set => SetSingleLine('o', value?.ToString());
    }

    /// <summary>The reader's parse of the o= line, kept so that it is not parsed again.</summary>
    internal void RememberOrigin(SdpLine line, SdpOrigin origin) => _origin.Remember(line, origin);

    /// <summary>The session-level c= line, or null. Setting rewrites it in place (or adds it in RFC order); null removes it.</summary>
    public SdpConnection? Connection
    {
        get => ParsedConnection();
        set => SetSingleLine('c', value?.ToString());
    }

    /// <summary>Parses SDP text. Never throws; on failure <paramref name="error"/> says which line is wrong and why.</summary>
    public static bool TryParse(string? text, out SdpSession? session, out string? error) =>
        SdpReader.TryRead(text, out session, out error);

    /// <summary>Parses UTF-8 SDP bytes. Never throws; bytes that are not valid UTF-8 fail.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out SdpSession? session, out string? error)
    {
        session = null;
        if (utf8.Length > MaxLength)
        {
            error = $"SDP longer than {MaxLength} bytes";
            return false;
        }

        if (!Utf8.IsValid(utf8))
        {
            error = "SDP is not valid UTF-8";
            return false;
        }

        return SdpReader.TryRead(Encoding.UTF8.GetString(utf8), out session, out error);
    }

    /// <summary>Appends a media description with the given m= line and returns it.</summary>
    public SdpMedia AddMedia(SdpMediaLine mediaLine)
    {
        ArgumentNullException.ThrowIfNull(mediaLine);
        var media = new SdpMedia([new SdpLine('m', mediaLine.ToString())]);
        _media.Add(media);
        return media;
    }

    /// <summary>Removes a media description. Note that RFC 3264 section 8 keeps m-lines in place (port 0) instead.</summary>
    public bool RemoveMedia(SdpMedia media) => _media.Remove(media);

    /// <summary>The SDP text: unchanged lines as read, changed and new lines with <see cref="NewLine"/>.</summary>
    public override string ToString()
    {
        // Sized first and written in one pass: the rewritten SDP of every offer and answer is built here.
        var length = _trailer.Length;
        var count = LineList.Count;
        foreach (var line in LineList)
        {
            length += Measure(line);
        }

        foreach (var media in _media)
        {
            foreach (var line in media.Lines)
            {
                length += Measure(line);
            }

            count += media.Lines.Count;
        }

        var text = new StringBuilder(length);
        var index = 0;
        foreach (var line in LineList)
        {
            Write(text, line, ++index == count);
        }

        foreach (var media in _media)
        {
            foreach (var line in media.Lines)
            {
                Write(text, line, ++index == count);
            }
        }

        return text.Append(_trailer).ToString();
    }

    private int Measure(SdpLine line) =>
        2 + line.Value.Length + (string.IsNullOrEmpty(line.Terminator) ? NewLine.Length : line.Terminator.Length);

    private void Write(StringBuilder text, SdpLine line, bool last)
    {
        text.Append(line.Type).Append('=').Append(line.Value);
        if (!last || _endsWithNewline)
        {
            text.Append(string.IsNullOrEmpty(line.Terminator) ? NewLine : line.Terminator);
        }
    }

    private protected override int Rank(char type) => type switch
    {
        'v' => 0,
        'o' => 1,
        's' => 2,
        'i' => 3,
        'u' => 4,
        'e' => 5,
        'p' => 6,
        'c' => 7,
        'b' => 8,
        't' => 9,
        'r' => 10,
        'z' => 11,
        'k' => 13,
        'a' => 14,
        _ => 12,
    };
}
