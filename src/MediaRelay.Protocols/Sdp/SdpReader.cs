namespace MediaRelay.Protocols.Sdp;

/// <summary>
/// Splits SDP text into lines and checks what the relay depends on (RFC 8866 section 5): v=0 first, every line
/// "&lt;letter&gt;=&lt;value&gt;" with no control characters, well-formed o=, c= and m= lines, at most one o=
/// and one c= per level. Other line types are kept as text without checks, as a proxy should.
/// </summary>
internal static class SdpReader
{
    public static bool TryRead(string? text, out SdpSession? session, out string? error)
    {
        session = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "SDP is empty";
            return false;
        }

        if (text.Length > SdpSession.MaxLength)
        {
            error = $"SDP longer than {SdpSession.MaxLength} characters";
            return false;
        }

        var sessionLines = new List<SdpLine>();
        var media = new List<SdpMedia>();
        var current = sessionLines;
        var trailer = string.Empty;
        var endsWithNewline = true;
        var lineNumber = 0;
        var position = 0;
        SdpLine? originLine = null, connectionLine = null;
        SdpOrigin? origin = null;
        SdpConnection? sessionConnection = null;
        while (position < text.Length)
        {
            lineNumber++;
            var newline = text.IndexOf('\n', position);
            var end = newline < 0 ? text.Length : newline;
            var terminator = newline < 0 ? string.Empty : "\n";
            if (newline > position && text[newline - 1] == '\r')
            {
                end--;
                terminator = "\r\n";
            }

            var content = text.AsSpan(position, end - position);
            if (content.IsEmpty)
            {
                // Some stacks end the body with an extra blank line; keep such a tail verbatim, refuse blank lines elsewhere.
                if (text.AsSpan(position).ContainsAnyExcept('\r', '\n'))
                {
                    error = $"line {lineNumber} is empty";
                    return false;
                }

                trailer = text[position..];
                break;
            }

            if (!TryCheckLine(content, lineNumber, out error))
            {
                return false;
            }

            var line = new SdpLine(content[0], content[2..].ToString(), terminator);
            endsWithNewline = terminator.Length > 0;
            position = newline < 0 ? text.Length : newline + 1;

            if (lineNumber == 1)
            {
                if (line.Type != 'v' || line.Value != "0")
                {
                    error = "line 1 must be v=0";
                    return false;
                }

                current.Add(line);
                continue;
            }

            if (line.Type == 'm')
            {
                if (!SdpMediaLine.TryParse(line.Value, out var mediaLine, out var mediaError))
                {
                    error = $"line {lineNumber}: {mediaError}";
                    return false;
                }

                current = [line];
                media.Add(new SdpMedia(current, mediaLine!));
                continue;
            }

            if (!TryCheckField(line, current, media.Count == 0, lineNumber, out var parsed, out error))
            {
                return false;
            }

            // What the check parsed is kept: the rewrite reads the o= and c= lines again.
            switch (parsed)
            {
                case SdpOrigin parsedOrigin:
                    (originLine, origin) = (line, parsedOrigin);
                    break;
                case SdpConnection connection when media.Count == 0:
                    (connectionLine, sessionConnection) = (line, connection);
                    break;
                case SdpConnection connection:
                    media[^1].RememberConnection(line, connection);
                    break;
            }

            current.Add(line);
        }

        if (sessionLines.Count == 0)
        {
            // Only blank lines: there is no v=0 to start from.
            error = "line 1 must be v=0";
            return false;
        }

        var firstTerminator = sessionLines[0].Terminator;
        var newLine = string.IsNullOrEmpty(firstTerminator) ? "\r\n" : firstTerminator;
        session = new SdpSession(sessionLines, media, newLine, endsWithNewline, trailer);
        if (origin is not null)
        {
            session.RememberOrigin(originLine!, origin);
        }

        if (sessionConnection is not null)
        {
            session.RememberConnection(connectionLine!, sessionConnection);
        }

        error = null;
        return true;
    }

    private static bool TryCheckLine(ReadOnlySpan<char> content, int lineNumber, out string? error)
    {
        if (content.Length < 2 || content[0] is < 'a' or > 'z' || content[1] != '=')
        {
            error = $"line {lineNumber} is not '<letter>=<value>'";
            return false;
        }

        for (var i = 2; i < content.Length; i++)
        {
            var c = content[i];
            if ((c < ' ' && c != '\t') || c == '\x7f')
            {
                error = $"line {lineNumber} holds control character 0x{(int)c:x2}";
                return false;
            }

            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 >= content.Length || !char.IsLowSurrogate(content[i + 1]))
                {
                    error = $"line {lineNumber} holds an unpaired surrogate";
                    return false;
                }

                i++;
            }
        }

        error = null;
        return true;
    }

    /// <summary>Checks one line against its level; <paramref name="parsed"/> is the o= or c= value it parsed on the way.</summary>
    private static bool TryCheckField(SdpLine line, List<SdpLine> section, bool sessionLevel, int lineNumber, out object? parsed, out string? error)
    {
        error = null;
        parsed = null;
        switch (line.Type)
        {
            case 'v':
                error = $"line {lineNumber}: v= may only be the first line";
                return false;
            case 'o' when !sessionLevel:
                error = $"line {lineNumber}: o= is only allowed at session level";
                return false;
            case 'o' when section.Exists(l => l.Type == 'o'):
                error = $"line {lineNumber}: more than one o= line";
                return false;
            case 'o':
                if (!SdpOrigin.TryParse(line.Value, out var origin, out var originError))
                {
                    error = $"line {lineNumber}: {originError}";
                    return false;
                }

                parsed = origin;
                return true;
            case 'c' when section.Exists(l => l.Type == 'c'):
                error = $"line {lineNumber}: more than one c= line at the same level";
                return false;
            case 'c':
                if (!SdpConnection.TryParse(line.Value, out var connection, out var connectionError))
                {
                    error = $"line {lineNumber}: {connectionError}";
                    return false;
                }

                parsed = connection;
                return true;
            case 'a' when line.Value.Length == 0 || line.Value[0] == ':':
                error = $"line {lineNumber}: attribute without a name";
                return false;
            default:
                return true;
        }
    }
}
