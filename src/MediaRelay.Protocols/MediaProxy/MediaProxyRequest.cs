using System.Globalization;
using System.Text;

namespace MediaRelay.Protocols.MediaProxy;

/// <summary>
/// One request on the dispatcher socket: a command line, <c>name: value</c> header lines, and an empty line.
/// The Kamailio/OpenSIPS module ends every line with CRLF; LF alone is accepted too. As in AG Projects' dispatcher,
/// empty lines before the command are skipped, a header whose value is empty is dropped (the module writes
/// <c>to_tag: </c> when it has no tag), and when a name repeats the last value wins. Names are matched exactly as
/// sent (the module writes them in lower case). The headers each command needs are checked (the relay's
/// <c>required_headers</c>), and the ones this type exposes are parsed: a malformed value fails the request.
/// Threading: immutable once parsed.
/// </summary>
public sealed class MediaProxyRequest
{
    /// <summary>
    /// Longest request accepted, in characters (and in bytes for the UTF-8 overload). The module builds its
    /// requests in an 8192-byte buffer and refuses longer ones, so nothing it sends is longer.
    /// </summary>
    public const int MaxLength = 8192;

    /// <summary>Most header lines accepted. The module sends at most twelve.</summary>
    public const int MaxHeaders = 64;

    private static readonly string[] UpdateRequired = ["call_id", "from_tag", "from_uri", "to_uri", "cseq", "user_agent", "type"];
    private static readonly string[] RemoveRequired = ["call_id", "from_tag"];

    private MediaProxyRequest(MediaProxyCommand command, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Command = command;
        Headers = headers;
    }

    /// <summary>The command.</summary>
    public MediaProxyCommand Command { get; }

    /// <summary>Every non-empty header in wire order, duplicates included.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary><c>type</c>: whether the SDP came in a SIP request or reply. Required for <c>update</c>.</summary>
    public MediaProxyMessageType? Type { get; private init; }

    /// <summary><c>call_id</c>, the SIP Call-ID (trimmed by the module). Required for <c>update</c> and <c>remove</c>.</summary>
    public string? CallId => GetHeader("call_id");

    /// <summary><c>from_tag</c>. Required for <c>update</c> and <c>remove</c>.</summary>
    public string? FromTag => GetHeader("from_tag");

    /// <summary><c>to_tag</c>; absent before the callee answered (the module omits it for provisional replies).</summary>
    public string? ToTag => GetHeader("to_tag");

    /// <summary><c>from_uri</c>: the From URI without <c>sip:</c> and without parameters, or <c>unknown</c>.</summary>
    public string? FromUri => GetHeader("from_uri");

    /// <summary><c>to_uri</c>: the To URI without <c>sip:</c> and without parameters, or <c>unknown</c>.</summary>
    public string? ToUri => GetHeader("to_uri");

    /// <summary><c>user_agent</c>: User-Agent, else Server, else <c>unknown agent</c>.</summary>
    public string? UserAgent => GetHeader("user_agent");

    /// <summary><c>media_relay</c>: the relay the script asked for (the <c>media_relay_avp</c>), usually absent.</summary>
    public string? MediaRelay => GetHeader("media_relay");

    /// <summary><c>cseq</c>: the CSeq number. Required for <c>update</c>.</summary>
    public uint? CSeq { get; private init; }

    /// <summary><c>dialog_id</c>: present when the call was engaged with <c>engage_media_proxy()</c>.</summary>
    public MediaProxyDialogId? DialogId { get; private init; }

    /// <summary><c>signaling_ip</c>: where the SIP message came from (and, in the underscore form, went to).</summary>
    public MediaProxySignalingIp? SignalingIp { get; private init; }

    /// <summary><c>media</c>: the supported streams of the SDP; empty when the message had no SDP.</summary>
    public IReadOnlyList<MediaProxyMedia> Media { get; private init; } = [];

    /// <summary>The last value of a header, or null. Names are compared exactly.</summary>
    public string? GetHeader(string name)
    {
        for (var i = Headers.Count - 1; i >= 0; i--)
        {
            if (Headers[i].Key == name)
            {
                return Headers[i].Value;
            }
        }

        return null;
    }

    /// <summary>Parses one complete request (through its terminating empty line) given as UTF-8. Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out MediaProxyRequest? request, out string? error)
    {
        if (utf8.Length > MaxLength)
        {
            request = null;
            error = $"request longer than {MaxLength} bytes";
            return false;
        }

        // Invalid UTF-8 (a Latin-1 User-Agent) becomes U+FFFD rather than failing the call.
        return TryParse(Encoding.UTF8.GetString(utf8), out request, out error);
    }

    /// <summary>Parses one complete request (through its terminating empty line). Never throws.</summary>
    public static bool TryParse(string? text, out MediaProxyRequest? request, out string? error) =>
        TryParse(text.AsSpan(), out request, out error);

    /// <summary>Parses one complete request (through its terminating empty line). Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out MediaProxyRequest? request, out string? error)
    {
        request = null;
        if (text.Length > MaxLength)
        {
            error = $"request longer than {MaxLength} characters";
            return false;
        }

        var reader = new LineReader(text);
        ReadOnlySpan<char> line;
        var lineNumber = 0;
        do
        {
            if (!reader.TryRead(out line, out error))
            {
                error ??= "empty request";
                return false;
            }

            lineNumber++;
        }
        while (line.IsEmpty);

        if (!TryParseCommand(line.Trim(" \t"), out var command))
        {
            error = $"unknown command '{Printable(line)}'";
            return false;
        }

        var headers = new List<KeyValuePair<string, string>>();
        while (true)
        {
            if (!reader.TryRead(out line, out error))
            {
                error ??= "request does not end with an empty line";
                return false;
            }

            lineNumber++;
            if (line.IsEmpty)
            {
                break;
            }

            var colon = line.IndexOf(':');
            var name = colon < 0 ? line : line[..colon];
            if (colon <= 0 || !IsName(name))
            {
                error = $"line {lineNumber} is not a 'name: value' header";
                return false;
            }

            var value = line[(colon + 1)..].Trim(" \t");
            if (value.IsEmpty)
            {
                continue;
            }

            if (headers.Count == MaxHeaders)
            {
                error = $"more than {MaxHeaders} headers";
                return false;
            }

            headers.Add(new KeyValuePair<string, string>(name.ToString(), value.ToString()));
        }

        if (!reader.AtEnd)
        {
            error = "data after the empty line that ends the request";
            return false;
        }

        return TryBuild(command, headers, out request, out error);
    }

    private static bool TryBuild(
        MediaProxyCommand command,
        List<KeyValuePair<string, string>> headers,
        out MediaProxyRequest? request,
        out string? error)
    {
        request = null;
        var bare = new MediaProxyRequest(command, headers);
        var required = command switch
        {
            MediaProxyCommand.Update => UpdateRequired,
            MediaProxyCommand.Remove => RemoveRequired,
            _ => [],
        };
        foreach (var name in required)
        {
            if (bare.GetHeader(name) is null)
            {
                error = $"missing header '{name}'";
                return false;
            }
        }

        MediaProxyMessageType? type = null;
        if (bare.GetHeader("type") is { } typeText)
        {
            type = typeText switch
            {
                "request" => MediaProxyMessageType.Request,
                "reply" => MediaProxyMessageType.Reply,
                _ => null,
            };
            if (type is null)
            {
                error = $"type '{typeText}' is neither 'request' nor 'reply'";
                return false;
            }
        }

        uint? cseq = null;
        if (bare.GetHeader("cseq") is { } cseqText)
        {
            if (cseqText.Length > 10 || cseqText.AsSpan().ContainsAnyExceptInRange('0', '9')
                || !uint.TryParse(cseqText, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                error = $"cseq '{cseqText}' is not a number";
                return false;
            }

            cseq = number;
        }

        MediaProxyDialogId? dialogId = null;
        if (bare.GetHeader("dialog_id") is { } dialogText)
        {
            if (!MediaProxyDialogId.TryParse(dialogText, out var parsed))
            {
                error = $"dialog_id '{dialogText}' is neither h_entry:h_id nor a decimal id";
                return false;
            }

            dialogId = parsed;
        }

        MediaProxySignalingIp? signaling = null;
        if (bare.GetHeader("signaling_ip") is { } signalingText && !MediaProxySignalingIp.TryParse(signalingText, out signaling))
        {
            error = $"signaling_ip '{signalingText}' is not an IP address";
            return false;
        }

        IReadOnlyList<MediaProxyMedia>? media = [];
        if (bare.GetHeader("media") is { } mediaText && !MediaProxyMedia.TryParseHeader(mediaText, out media, out error))
        {
            return false;
        }

        request = new MediaProxyRequest(command, headers)
        {
            Type = type,
            CSeq = cseq,
            DialogId = dialogId,
            SignalingIp = signaling,
            Media = media!,
        };
        error = null;
        return true;
    }

    private static bool TryParseCommand(ReadOnlySpan<char> text, out MediaProxyCommand command)
    {
        switch (text)
        {
            case "update":
                command = MediaProxyCommand.Update;
                return true;
            case "remove":
                command = MediaProxyCommand.Remove;
                return true;
            case "summary":
                command = MediaProxyCommand.Summary;
                return true;
            case "sessions":
                command = MediaProxyCommand.Sessions;
                return true;
            default:
                command = default;
                return false;
        }
    }

    private static bool IsName(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Printable(ReadOnlySpan<char> text)
    {
        var shown = text.Length > 40 ? text[..40] : text;
        var builder = new StringBuilder(shown.Length);
        foreach (var c in shown)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return builder.ToString();
    }

    /// <summary>Lines ended by LF or CRLF; a control character other than tab inside a line is an error.</summary>
    private ref struct LineReader(ReadOnlySpan<char> text)
    {
        private readonly ReadOnlySpan<char> _text = text;
        private int _position;

        public readonly bool AtEnd => _position == _text.Length;

        /// <summary>False with a null error at the end of input; false with an error for a bad or unterminated line.</summary>
        public bool TryRead(out ReadOnlySpan<char> line, out string? error)
        {
            line = default;
            error = null;
            if (AtEnd)
            {
                return false;
            }

            var rest = _text[_position..];
            var newline = rest.IndexOf('\n');
            if (newline < 0)
            {
                error = "request does not end with an empty line";
                return false;
            }

            line = rest[..newline];
            if (!line.IsEmpty && line[^1] == '\r')
            {
                line = line[..^1];
            }

            foreach (var c in line)
            {
                if ((c < ' ' && c != '\t') || c == '\u007f')
                {
                    error = $"control character 0x{(int)c:x2} in a line";
                    return false;
                }
            }

            _position += newline + 1;
            return true;
        }
    }
}
