using System.Globalization;
using System.Net;
using System.Text;
using MediaRelay.Protocols.Sdp;

namespace MediaRelay.Protocols.Rtpproxy;

/// <summary>
/// The modifiers written after the letter of a <c>U</c> or <c>L</c> command, such as <c>6Z20c0,8,101</c>, parsed
/// the way rtpproxy parses them (sippy/rtpproxy <c>rtpp_command_ul_opts_parse</c>), case-insensitively.
/// Unknown characters do not fail the parse: they are collected in <see cref="Unknown"/> for the adapter to
/// ignore (old rtpproxy) or refuse with <see cref="RtpproxyErrorCode.UnknownModifier"/> (current rtpproxy).
/// </summary>
public sealed class RtpproxyUpdateModifiers
{
    /// <summary>Largest packetization time <c>z</c> accepts, in milliseconds.</summary>
    public const int MaxPacketizationMs = 999;

    private static readonly RtpproxyDirection[] NoDirections = [];

    private RtpproxyUpdateModifiers(string text)
    {
        Text = text;
    }

    /// <summary>The modifier text as sent, without the command letter.</summary>
    public string Text { get; }

    /// <summary><c>6</c>: the address in the command (and the stream) is IPv6. Kamailio may repeat it (<c>66</c>).</summary>
    public bool Ipv6 { get; private set; }

    /// <summary><c>a</c> / <c>s</c>, the last one given.</summary>
    public RtpproxySymmetry Symmetry { get; private set; }

    /// <summary><c>w</c>: weak create/update; the session survives a <c>D</c> until every weak side is deleted.</summary>
    public bool Weak { get; private set; }

    /// <summary><c>i</c> / <c>e</c> in the order given, at most two.</summary>
    public IReadOnlyList<RtpproxyDirection> Directions { get; private set; } = NoDirections;

    /// <summary><c>z&lt;ms&gt;</c>: repacketize the media from this party to this many milliseconds, 1..999.</summary>
    public int? PacketizationMs { get; private set; }

    /// <summary><c>c&lt;pt,pt,…&gt;</c>: the payload types of the m= line, in order, as text (for example <c>0,8,101</c>).</summary>
    public string? CodecsText { get; private set; }

    /// <summary>The payload types of <see cref="CodecsText"/> as numbers (empty items skipped); null without <c>c</c>.</summary>
    public IReadOnlyList<int>? Codecs { get; private set; }

    /// <summary><c>l&lt;a.b.c.d&gt;</c> or <c>l[&lt;v6&gt;]</c>: the local address to allocate on.</summary>
    public IPAddress? LocalAddress { get; private set; }

    /// <summary><c>r&lt;a.b.c.d&gt;</c> or <c>r[&lt;v6&gt;]</c>: allocate on the local address that routes to this one.</summary>
    public IPAddress? RemoteAddress { get; private set; }

    /// <summary><c>n</c>: allocate a new port for this side even if it has one.</summary>
    public bool NewPort { get; private set; }

    /// <summary>Modifier characters rtpproxy does not know, in order; empty when there are none.</summary>
    public string Unknown { get; private set; } = "";

    /// <inheritdoc/>
    public override string ToString() => Text;

    internal static bool TryParse(string text, out RtpproxyUpdateModifiers? modifiers, out RtpproxyErrorCode code, out string? reason)
    {
        modifiers = null;
        var result = new RtpproxyUpdateModifiers(text);
        List<RtpproxyDirection>? directions = null;
        StringBuilder? unknown = null;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i++];
            switch (c)
            {
                case 'a' or 'A':
                    result.Symmetry = RtpproxySymmetry.Asymmetric;
                    break;
                case 's' or 'S':
                    result.Symmetry = RtpproxySymmetry.Symmetric;
                    break;
                case 'w' or 'W':
                    result.Weak = true;
                    break;
                case '6':
                    result.Ipv6 = true;
                    break;
                case 'n' or 'N':
                    result.NewPort = true;
                    break;
                case 'i' or 'I' or 'e' or 'E':
                    directions ??= new List<RtpproxyDirection>(2);
                    var external = c is 'e' or 'E';
                    if (directions.Count == 2)
                    {
                        code = external ? RtpproxyErrorCode.ExternalInterfaceUnavailable : RtpproxyErrorCode.InternalInterfaceUnavailable;
                        reason = "more than two 'i'/'e' modifiers";
                        return false;
                    }

                    directions.Add(external ? RtpproxyDirection.External : RtpproxyDirection.Internal);
                    break;
                case 'z' or 'Z':
                    if (!TryReadPacketization(text, ref i, out var ms))
                    {
                        code = RtpproxyErrorCode.InvalidPacketization;
                        reason = $"'z' needs a packetization time of 1 to {MaxPacketizationMs} ms";
                        return false;
                    }

                    result.PacketizationMs = ms;
                    break;
                case 'c' or 'C':
                    if (result.CodecsText is not null || !TryReadCodecs(text, ref i, out var codecsText, out var codecs))
                    {
                        code = RtpproxyErrorCode.InvalidCodecList;
                        reason = result.CodecsText is not null ? "'c' given twice" : "'c' needs a list of payload types";
                        return false;
                    }

                    result.CodecsText = codecsText;
                    result.Codecs = codecs;
                    break;
                case 'l' or 'L':
                    if (!TryReadAddress(text, ref i, out var local, out var localSyntax))
                    {
                        code = localSyntax ? RtpproxyErrorCode.LocalAddressSyntax : RtpproxyErrorCode.LocalAddressUnusable;
                        reason = localSyntax ? "'l' needs a.b.c.d or [v6]" : "'l' address is not a valid IP address";
                        return false;
                    }

                    result.LocalAddress = local;
                    break;
                case 'r' or 'R':
                    if (!TryReadAddress(text, ref i, out var remote, out var remoteSyntax))
                    {
                        code = remoteSyntax ? RtpproxyErrorCode.RemoteAddressSyntax : RtpproxyErrorCode.RemoteAddressUnresolvable;
                        reason = remoteSyntax ? "'r' needs a.b.c.d or [v6]" : "'r' address is not a valid IP address";
                        return false;
                    }

                    result.RemoteAddress = remote;
                    break;
                default:
                    unknown ??= new StringBuilder();
                    unknown.Append(c);
                    break;
            }
        }

        if (directions is not null)
        {
            result.Directions = directions;
        }

        if (unknown is not null)
        {
            result.Unknown = unknown.ToString();
        }

        modifiers = result;
        code = default;
        reason = null;
        return true;
    }

    // rtpproxy: strtol after the 'z', then 0 < ms < 1000. Signs are refused here; rtpproxy would take "+20".
    private static bool TryReadPacketization(string text, ref int i, out int ms)
    {
        ms = 0;
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            if (ms <= MaxPacketizationMs)
            {
                ms = (ms * 10) + (text[i] - '0');
            }

            i++;
        }

        return i > start && ms is >= 1 and <= MaxPacketizationMs;
    }

    // rtpproxy: the longest run of digits and commas after the 'c', which must not be empty.
    private static bool TryReadCodecs(string text, ref int i, out string codecsText, out IReadOnlyList<int> codecs)
    {
        var start = i;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == ','))
        {
            i++;
        }

        codecsText = text[start..i];
        var list = new List<int>();
        codecs = list;
        if (codecsText.Length == 0)
        {
            return false;
        }

        foreach (var range in codecsText.AsSpan().Split(','))
        {
            var item = codecsText.AsSpan()[range];
            if (item.IsEmpty)
            {
                continue;
            }

            if (item.Length > 9)
            {
                return false;
            }

            list.Add(int.Parse(item, NumberStyles.None, CultureInfo.InvariantCulture));
        }

        return true;
    }

    // rtpproxy extractaddr: digits and dots for IPv4, or '[' hex digits and colons ']' for IPv6.
    private static bool TryReadAddress(string text, ref int i, out IPAddress? address, out bool syntaxError)
    {
        address = null;
        syntaxError = true;
        string candidate;
        string type;
        if (i < text.Length && text[i] == '[')
        {
            var start = ++i;
            while (i < text.Length && (char.IsAsciiHexDigit(text[i]) || text[i] == ':'))
            {
                i++;
            }

            if (i == start || i >= text.Length || text[i] != ']')
            {
                return false;
            }

            candidate = text[start..i];
            type = "IP6";
            i++;
        }
        else
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }

            candidate = text[start..i];
            type = "IP4";
        }

        syntaxError = false;
        return SdpAddress.TryParse(type, candidate, out address);
    }
}
