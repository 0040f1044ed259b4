using System.Globalization;

namespace MediaRelay.Protocols.Sdp;

/// <summary>
/// An "m=" line (RFC 8866 section 5.14): "&lt;media&gt; &lt;port&gt;[/&lt;count&gt;] &lt;proto&gt; &lt;fmt&gt; ...".
/// </summary>
/// <param name="Media">"audio", "video", "application", "image", "text", ...</param>
/// <param name="Port">The transport port, 0-65535; 0 rejects or disables the stream (RFC 3264 section 6).</param>
/// <param name="PortCount">The optional "/count" of consecutive port pairs, or null.</param>
/// <param name="Proto">The transport protocol, e.g. "RTP/AVP", "UDP/TLS/RTP/SAVPF".</param>
/// <param name="Formats">The media formats (payload types for RTP), at least one.</param>
public sealed record SdpMediaLine(string Media, int Port, int? PortCount, string Proto, IReadOnlyList<string> Formats)
{
    /// <summary>Parses the value of an m= line. Never throws.</summary>
    public static bool TryParse(string? value, out SdpMediaLine? mediaLine, out string? error)
    {
        mediaLine = null;
        var fields = value?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (fields.Length < 4)
        {
            error = "m= must be '<media> <port> <proto> <fmt> ...' with at least one format";
            return false;
        }

        var portText = fields[1];
        int? count = null;
        var slash = portText.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!TryParseNumber(portText[(slash + 1)..], 65535, out var c) || c == 0)
            {
                error = $"m= port count in '{portText}' is not a positive number";
                return false;
            }

            count = c;
            portText = portText[..slash];
        }

        if (!TryParseNumber(portText, 65535, out var port))
        {
            error = $"m= port '{portText}' is not a number 0-65535";
            return false;
        }

        mediaLine = new SdpMediaLine(fields[0], port, count, fields[2], fields[3..]);
        error = null;
        return true;
    }

    /// <summary>The m= value, fields separated by single spaces.</summary>
    public override string ToString()
    {
        var port = PortCount is { } count
            ? string.Create(CultureInfo.InvariantCulture, $"{Port}/{count}")
            : Port.ToString(CultureInfo.InvariantCulture);
        return $"{Media} {port} {Proto} {string.Join(' ', Formats)}";
    }

    private static bool TryParseNumber(string text, int max, out int value)
    {
        value = 0;
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

            value = (value * 10) + (c - '0');
        }

        return value <= max;
    }
}
