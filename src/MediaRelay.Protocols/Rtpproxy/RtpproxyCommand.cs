using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Unicode;
using MediaRelay.Protocols.Sdp;

namespace MediaRelay.Protocols.Rtpproxy;

/// <summary>
/// One rtpproxy control command, such as <c>12345_7 U6c0,8,101 a84b4c76e66710 2001:db8::10 49170 1928301774;1</c>
/// (sippy/rtpproxy <c>get_command</c>, <c>rtpp_command_pre_parse</c>; docs/protocols/rtpproxy.md). Tokens are
/// separated by runs of space, tab, CR and LF; over UDP the first token is a cookie the reply must echo; over a
/// UNIX stream socket there is none. Argument positions and counts follow rtpproxy's command table, so the
/// <see cref="RtpproxyError.Code"/> of a refused command is the one rtpproxy would answer with.
/// Never throws on wire input. Threading: instances are immutable.
/// </summary>
public sealed class RtpproxyCommand
{
    /// <summary>Longest command accepted, in bytes: rtpproxy reads into an 8 KiB buffer less the terminating NUL.</summary>
    public const int MaxLength = (8 * 1024) - 1;

    /// <summary>Most tokens accepted, the cookie included (rtpproxy <c>RTPC_MAX_ARGC</c>).</summary>
    public const int MaxTokens = 20;

    private static readonly string[] NoStrings = [];

    private RtpproxyCommand(RtpproxyCommandKind kind, string? cookie, string modifiers, string[] arguments)
    {
        Kind = kind;
        Cookie = cookie;
        Modifiers = modifiers;
        Arguments = arguments;
    }

    /// <summary>The cookie the reply starts with (UDP), or null (UNIX stream socket).</summary>
    public string? Cookie { get; }

    /// <summary>Which command this is.</summary>
    public RtpproxyCommandKind Kind { get; }

    /// <summary>True for the commands the relay implements: V, VF, U, L, D, Q, I, G.</summary>
    public bool IsSupported => Kind <= RtpproxyCommandKind.GetStats;

    /// <summary>The text after the command letter (after <c>VF</c> for a feature check), as sent; empty if none.</summary>
    public string Modifiers { get; }

    /// <summary>The modifiers of <c>U</c> and <c>L</c>, parsed; null for other commands.</summary>
    public RtpproxyUpdateModifiers? UpdateModifiers { get; private init; }

    /// <summary>Every token after the command word, raw, in order (cookie and command word excluded).</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The Call-ID (Kamailio may have appended <c>;&lt;via-branch&gt;</c> or <c>;&lt;extra id&gt;</c>); null for V, VF, I, G, X.</summary>
    public string? CallId { get; private init; }

    /// <summary>The address of <c>U</c>/<c>L</c>: where the party's media comes from (<c>0.0.0.0</c> or <c>::</c> for hold). Its family need not match <see cref="RtpproxyUpdateModifiers.Ipv6"/>.</summary>
    public IPAddress? Address { get; private init; }

    /// <summary>The port of <c>U</c>/<c>L</c>, 0..65535 (0 when the m= line is disabled); 0 for other commands.</summary>
    public int Port { get; private init; }

    /// <summary>The from-tag argument: the tag of the side this command speaks for.</summary>
    public RtpproxyTag? FromTag { get; private init; }

    /// <summary>The to-tag argument, when given.</summary>
    public RtpproxyTag? ToTag { get; private init; }

    /// <summary>
    /// The notify socket of a <c>U</c> with 7 or 8 arguments (rtpproxy's reading: <c>… from notify_socket notify_tag</c>
    /// or <c>… from to notify_socket notify_tag</c>). Kamailio's <c>timeout_socket</c> makes
    /// <c>… from;N to;N socket</c>, which rtpproxy reads as notify socket <c>to;N</c> and notify tag <c>socket</c>;
    /// <see cref="Arguments"/> keeps the raw tokens for an adapter that wants Kamailio's meaning.
    /// </summary>
    public string? NotifySocket { get; private init; }

    /// <summary>The notify tag of a <c>U</c>, URL-decoded (<c>%XX</c>) as rtpproxy decodes it.</summary>
    public string? NotifyTag { get; private init; }

    /// <summary>The date stamp of <c>VF</c>, such as <c>20050322</c>, as sent.</summary>
    public string? FeatureDate { get; private init; }

    /// <summary><c>v</c> on <c>Q</c> or <c>G</c>: answer <c>name=value</c> pairs.</summary>
    public bool Verbose { get; private init; }

    /// <summary><c>w</c> on <c>D</c>: remove only the weak flag of the matching side.</summary>
    public bool Weak { get; private init; }

    /// <summary><c>b</c> on <c>I</c>: brief (rtpproxy ignores it today).</summary>
    public bool Brief { get; private init; }

    /// <summary><c>l</c> on <c>I</c>: add the <c>average load</c> line.</summary>
    public bool Load { get; private init; }

    /// <summary>The counter names after the tags of <c>Q</c>, or the statistic names of <c>G</c>; empty if none.</summary>
    public IReadOnlyList<string> StatNames { get; private init; } = NoStrings;

    /// <summary>Parses one command from a datagram (<paramref name="hasCookie"/> true) or a stream read (false).</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, bool hasCookie, out RtpproxyCommand? command, out RtpproxyError error)
    {
        command = null;
        if (datagram.Length > MaxLength)
        {
            error = new RtpproxyError(RtpproxyErrorCode.Syntax, $"command longer than {MaxLength} bytes", null);
            return false;
        }

        foreach (var b in datagram)
        {
            if (IsControl(b))
            {
                error = new RtpproxyError(RtpproxyErrorCode.Syntax, $"control character 0x{b:x2}", null);
                return false;
            }
        }

        if (!Utf8.IsValid(datagram))
        {
            error = new RtpproxyError(RtpproxyErrorCode.Syntax, "not valid UTF-8", null);
            return false;
        }

        return TryParseText(Encoding.UTF8.GetString(datagram), hasCookie, out command, out error);
    }

    /// <summary>
    /// Parses one command from text (see <see cref="TryParse(ReadOnlySpan{byte}, bool, out RtpproxyCommand?, out RtpproxyError)"/>);
    /// <see cref="MaxLength"/> counts characters here.
    /// </summary>
    public static bool TryParse(string? datagram, bool hasCookie, out RtpproxyCommand? command, out RtpproxyError error)
    {
        command = null;
        if (datagram is null)
        {
            error = new RtpproxyError(RtpproxyErrorCode.Syntax, "empty command", null);
            return false;
        }

        if (datagram.Length > MaxLength)
        {
            error = new RtpproxyError(RtpproxyErrorCode.Syntax, $"command longer than {MaxLength} characters", null);
            return false;
        }

        foreach (var c in datagram)
        {
            if (c < 0x80 && IsControl((byte)c))
            {
                error = new RtpproxyError(RtpproxyErrorCode.Syntax, $"control character 0x{(int)c:x2}", null);
                return false;
            }
        }

        return TryParseText(datagram, hasCookie, out command, out error);
    }

    private static bool IsControl(byte b) => (b < 0x20 && b is not (byte)'\t' and not (byte)'\n' and not (byte)'\r') || b == 0x7F;

    private static bool TryParseText(string text, bool hasCookie, out RtpproxyCommand? command, out RtpproxyError error)
    {
        command = null;
        var tokens = new List<string>(8);
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var separator = i == text.Length || text[i] is ' ' or '\t' or '\r' or '\n';
            if (!separator)
            {
                if (start < 0)
                {
                    start = i;
                }

                continue;
            }

            if (start >= 0)
            {
                tokens.Add(text[start..i]);
                start = -1;
            }
        }

        var cookie = hasCookie && tokens.Count > 0 ? tokens[0] : null;
        var first = hasCookie ? 1 : 0;
        if (tokens.Count <= first)
        {
            error = new RtpproxyError(RtpproxyErrorCode.Syntax, hasCookie ? "no command after the cookie" : "empty command", cookie);
            return false;
        }

        if (tokens.Count > MaxTokens)
        {
            error = new RtpproxyError(RtpproxyErrorCode.InvalidArgumentCount, $"more than {MaxTokens} tokens", cookie);
            return false;
        }

        var word = tokens[first];
        if (!TryGetShape(word, out var shape))
        {
            error = new RtpproxyError(RtpproxyErrorCode.UnknownCommand, $"unknown command '{word[0]}'", cookie);
            return false;
        }

        var modifiers = word[shape.ModifierStart..];
        var argc = tokens.Count - first; // rtpproxy counts the command word
        if (tokens.Skip(first + 1).Contains("&&", StringComparer.Ordinal))
        {
            error = new RtpproxyError(RtpproxyErrorCode.SubcommandNotSupported, "'&&' sub-commands are not supported", cookie);
            return false;
        }

        if (argc < shape.MinArgs || argc > shape.MaxArgs)
        {
            error = new RtpproxyError(RtpproxyErrorCode.InvalidArgumentCount,
                $"{shape.Kind} takes {shape.MinArgs - 1} to {shape.MaxArgs - 1} arguments, got {argc - 1}", cookie);
            return false;
        }

        if (!shape.HasModifiers && modifiers.Length > 0)
        {
            error = new RtpproxyError(RtpproxyErrorCode.ModifiersNotAllowed, $"{shape.Kind} takes no modifiers", cookie);
            return false;
        }

        var args = tokens.GetRange(first + 1, argc - 1).ToArray();
        return shape.Kind switch
        {
            RtpproxyCommandKind.Update or RtpproxyCommandKind.Lookup => TryBuildUpdate(shape.Kind, cookie, modifiers, args, out command, out error),
            RtpproxyCommandKind.Delete => TryBuildDelete(cookie, modifiers, args, out command, out error),
            RtpproxyCommandKind.Query => TryBuildQuery(cookie, modifiers, args, out command, out error),
            RtpproxyCommandKind.GetStats => TryBuildStats(cookie, modifiers, args, out command, out error),
            RtpproxyCommandKind.Info => TryBuildInfo(cookie, modifiers, args, out command, out error),
            RtpproxyCommandKind.VersionFeature => Done(new RtpproxyCommand(shape.Kind, cookie, modifiers, args) { FeatureDate = args[0] }, out command, out error),
            RtpproxyCommandKind.Version or RtpproxyCommandKind.DeleteAll => Done(new RtpproxyCommand(shape.Kind, cookie, modifiers, args), out command, out error),
            _ => Done(BuildOther(shape, cookie, modifiers, args), out command, out error),
        };
    }

    private static bool Done(RtpproxyCommand built, out RtpproxyCommand? command, out RtpproxyError error)
    {
        command = built;
        error = RtpproxyError.None;
        return true;
    }

    private static bool Fail(RtpproxyErrorCode code, string reason, string? cookie, out RtpproxyCommand? command, out RtpproxyError error)
    {
        command = null;
        error = new RtpproxyError(code, reason, cookie);
        return false;
    }

    // U[mods] callid addr port from [to] [notify_socket notify_tag]; L[mods] callid addr port from [to].
    private static bool TryBuildUpdate(RtpproxyCommandKind kind, string? cookie, string modifiers, string[] args, out RtpproxyCommand? command, out RtpproxyError error)
    {
        if (!RtpproxyUpdateModifiers.TryParse(modifiers, out var parsed, out var code, out var reason))
        {
            return Fail(code, reason!, cookie, out command, out error);
        }

        if (!TryParseAddress(args[1], out var address))
        {
            return Fail(RtpproxyErrorCode.InvalidRemoteAddress, $"address '{args[1]}' is not a numeric IP address", cookie, out command, out error);
        }

        if (!TryParsePort(args[2], out var port))
        {
            return Fail(RtpproxyErrorCode.InvalidRemoteAddress, $"port '{args[2]}' is not 0..65535", cookie, out command, out error);
        }

        string? toTag = args.Length is 5 or 7 ? args[4] : null;
        string? notifySocket = null;
        string? notifyTag = null;
        if (args.Length >= 6)
        {
            notifySocket = args[^2];
            if (!TryUrlUnquote(args[^1], out notifyTag))
            {
                return Fail(RtpproxyErrorCode.NotifyTagEncoding, "notify tag is not valid URL encoding", cookie, out command, out error);
            }
        }

        return Done(new RtpproxyCommand(kind, cookie, modifiers, args)
        {
            UpdateModifiers = parsed,
            CallId = args[0],
            Address = address,
            Port = port,
            FromTag = RtpproxyTag.Parse(args[3]),
            ToTag = toTag is null ? null : RtpproxyTag.Parse(toTag),
            NotifySocket = notifySocket,
            NotifyTag = notifyTag,
        }, out command, out error);
    }

    // D[w] callid from [to]
    private static bool TryBuildDelete(string? cookie, string modifiers, string[] args, out RtpproxyCommand? command, out RtpproxyError error)
    {
        var weak = false;
        foreach (var c in modifiers)
        {
            if (c is not ('w' or 'W'))
            {
                return Fail(RtpproxyErrorCode.DeleteModifierUnknown, $"unknown D modifier '{c}'", cookie, out command, out error);
            }

            weak = true;
        }

        return Done(new RtpproxyCommand(RtpproxyCommandKind.Delete, cookie, modifiers, args)
        {
            Weak = weak,
            CallId = args[0],
            FromTag = RtpproxyTag.Parse(args[1]),
            ToTag = args.Length > 2 ? RtpproxyTag.Parse(args[2]) : null,
        }, out command, out error);
    }

    // Q[v] callid from [to [name...]]
    private static bool TryBuildQuery(string? cookie, string modifiers, string[] args, out RtpproxyCommand? command, out RtpproxyError error)
    {
        if (!TryReadVerbose(modifiers, out var verbose, out var bad))
        {
            return Fail(RtpproxyErrorCode.QueryModifierUnknown, $"unknown Q modifier '{bad}'", cookie, out command, out error);
        }

        return Done(new RtpproxyCommand(RtpproxyCommandKind.Query, cookie, modifiers, args)
        {
            Verbose = verbose,
            CallId = args[0],
            FromTag = RtpproxyTag.Parse(args[1]),
            ToTag = args.Length > 2 ? RtpproxyTag.Parse(args[2]) : null,
            StatNames = args.Length > 3 ? args[3..] : NoStrings,
        }, out command, out error);
    }

    // G[v] [name...]
    private static bool TryBuildStats(string? cookie, string modifiers, string[] args, out RtpproxyCommand? command, out RtpproxyError error)
    {
        if (!TryReadVerbose(modifiers, out var verbose, out var bad))
        {
            return Fail(RtpproxyErrorCode.StatsModifierUnknown, $"unknown G modifier '{bad}'", cookie, out command, out error);
        }

        return Done(new RtpproxyCommand(RtpproxyCommandKind.GetStats, cookie, modifiers, args) { Verbose = verbose, StatNames = args }, out command, out error);
    }

    // I[b][l]
    private static bool TryBuildInfo(string? cookie, string modifiers, string[] args, out RtpproxyCommand? command, out RtpproxyError error)
    {
        bool brief = false, load = false;
        foreach (var c in modifiers)
        {
            switch (c)
            {
                case 'b' or 'B':
                    brief = true;
                    break;
                case 'l' or 'L':
                    load = true;
                    break;
                default:
                    return Fail(RtpproxyErrorCode.InfoModifierUnknown, $"unknown I modifier '{c}'", cookie, out command, out error);
            }
        }

        return Done(new RtpproxyCommand(RtpproxyCommandKind.Info, cookie, modifiers, args) { Brief = brief, Load = load }, out command, out error);
    }

    // P, S, R, C, N: recognised, not implemented. Call-ID and tags are filled where rtpproxy's table puts them.
    private static RtpproxyCommand BuildOther(Shape shape, string? cookie, string modifiers, string[] args)
    {
        var from = shape.FromIndex - 1;
        return new RtpproxyCommand(shape.Kind, cookie, modifiers, args)
        {
            CallId = args[0],
            FromTag = RtpproxyTag.Parse(args[from]),
            ToTag = args.Length > from + 1 ? RtpproxyTag.Parse(args[from + 1]) : null,
        };
    }

    private static bool TryReadVerbose(string modifiers, out bool verbose, out char bad)
    {
        verbose = false;
        bad = '\0';
        foreach (var c in modifiers)
        {
            if (c is not ('v' or 'V'))
            {
                bad = c;
                return false;
            }

            verbose = true;
        }

        return true;
    }

    private static bool TryParseAddress(string text, out IPAddress? address) =>
        SdpAddress.TryParse("IP4", text, out address) || SdpAddress.TryParse("IP6", text, out address);

    private static bool TryParsePort(string text, out int port)
    {
        port = 0;
        if (text.Length is 0 or > 5)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            port = (port * 10) + (c - '0');
        }

        return port <= 65535;
    }

    // rtpproxy url_unquote: every '%' must be followed by two hex digits; nothing else is decoded.
    private static bool TryUrlUnquote(string text, out string? decoded)
    {
        decoded = null;
        if (!text.Contains('%', StringComparison.Ordinal))
        {
            decoded = text;
            return true;
        }

        var bytes = new List<byte>(text.Length);
        var raw = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != (byte)'%')
            {
                bytes.Add(raw[i]);
                continue;
            }

            if (i + 2 >= raw.Length || !IsHex(raw[i + 1]) || !IsHex(raw[i + 2]))
            {
                return false;
            }

            bytes.Add((byte)((HexValue(raw[i + 1]) << 4) | HexValue(raw[i + 2])));
            i += 2;
        }

        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes);
        if (!Utf8.IsValid(span))
        {
            return false;
        }

        decoded = Encoding.UTF8.GetString(span);
        return true;
    }

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte b) => b <= (byte)'9' ? b - '0' : (b | 0x20) - 'a' + 10;

    // rtpproxy fill_cmd_props: counts include the command word; FromIndex counts from it too.
    private static bool TryGetShape(string word, out Shape shape)
    {
        shape = char.ToUpperInvariant(word[0]) switch
        {
            'U' => new Shape(RtpproxyCommandKind.Update, 5, 8, true, 4),
            'L' => new Shape(RtpproxyCommandKind.Lookup, 5, 6, true, 4),
            'D' => new Shape(RtpproxyCommandKind.Delete, 3, 4, true, 2),
            'P' => new Shape(RtpproxyCommandKind.Play, 5, 6, true, 4),
            'R' => new Shape(RtpproxyCommandKind.Record, 3, 4, true, 2),
            'C' => new Shape(RtpproxyCommandKind.Copy, 4, 5, true, 3),
            'S' => new Shape(RtpproxyCommandKind.NoPlay, 3, 4, false, 2),
            'N' => new Shape(RtpproxyCommandKind.NoRecord, 3, 4, false, 2),
            'V' when word.Length > 1 && word[1] is 'F' or 'f' => new Shape(RtpproxyCommandKind.VersionFeature, 2, 2, false, 0, 2),
            'V' => new Shape(RtpproxyCommandKind.Version, 1, 1, false, 0),
            'I' => new Shape(RtpproxyCommandKind.Info, 1, 1, true, 0),
            'Q' => new Shape(RtpproxyCommandKind.Query, 3, MaxTokens, true, 2),
            'X' => new Shape(RtpproxyCommandKind.DeleteAll, 1, 1, false, 0),
            'G' => new Shape(RtpproxyCommandKind.GetStats, 1, MaxTokens, true, 0),
            _ => default,
        };
        return shape.MinArgs > 0;
    }

    private readonly record struct Shape(RtpproxyCommandKind Kind, int MinArgs, int MaxArgs, bool HasModifiers, int FromIndex, int ModifierStart = 1);
}
