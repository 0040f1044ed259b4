using System.Globalization;
using System.Net;

namespace MediaRelay.Protocols.MediaProxy;

/// <summary>
/// One stream of the <c>media</c> header. The module writes, per supported <c>m=</c> line (transport RTP* or udp*),
/// <c>type:ip:port:direction:ice=yes|no</c> and joins streams with commas; older modules omit the <c>ice=</c>
/// parameter. Streams with other transports are left out, so the n-th entry is the n-th supported stream, not the
/// n-th <c>m=</c> line. The format carries no ICE candidates, only whether the stream has ICE (ice-ufrag and
/// ice-pwd at stream or session level, and at least one <c>a=candidate</c> in the stream). Threading: immutable.
/// </summary>
/// <param name="MediaType">The <c>m=</c> media type as sent (<c>audio</c>, <c>video</c>, <c>image</c>, ...).</param>
/// <param name="AddressText">The connection address exactly as sent (stream <c>c=</c>, else session <c>c=</c>).</param>
/// <param name="Address">The connection address, or null when it is not an IP literal (an FQDN in <c>c=</c>).</param>
/// <param name="Port">The <c>m=</c> port; 0 means the stream is rejected or disabled.</param>
/// <param name="Direction">The stream's direction attribute.</param>
/// <param name="Ice">Whether the module saw ICE in the stream (<c>ice=yes</c>).</param>
/// <param name="Parameters">Every <c>name=value</c> parameter after the direction, <c>ice</c> included.</param>
public sealed record MediaProxyMedia(
    string MediaType,
    string AddressText,
    IPAddress? Address,
    int Port,
    MediaProxyDirection Direction,
    bool Ice,
    IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>Most streams one header may carry: the module's MAX_STREAMS.</summary>
    public const int MaxStreams = 32;

    /// <summary>
    /// Parses the value of a <c>media</c> header. Empty entries (a trailing comma) are skipped, as AG Projects does.
    /// The connection address is taken as everything between the type and the last two fields before the
    /// parameters, so an IPv6 address, whose colons the module does not escape, still parses (AG Projects' relay
    /// splits on every colon and cannot). Never throws.
    /// </summary>
    public static bool TryParseHeader(ReadOnlySpan<char> value, out IReadOnlyList<MediaProxyMedia>? streams, out string? error)
    {
        streams = null;
        var list = new List<MediaProxyMedia>();
        var rest = value;
        while (true)
        {
            var comma = rest.IndexOf(',');
            var entry = comma < 0 ? rest : rest[..comma];
            if (!entry.IsEmpty)
            {
                if (list.Count == MaxStreams)
                {
                    error = $"more than {MaxStreams} media streams";
                    return false;
                }

                if (!TryParseStream(entry, out var stream, out error))
                {
                    error = $"media stream {list.Count + 1}: {error}";
                    return false;
                }

                list.Add(stream!);
            }

            if (comma < 0)
            {
                break;
            }

            rest = rest[(comma + 1)..];
        }

        streams = list;
        error = null;
        return true;
    }

    private static bool TryParseStream(ReadOnlySpan<char> entry, out MediaProxyMedia? stream, out string? error)
    {
        stream = null;
        Span<Range> fields = stackalloc Range[24];
        var count = entry.Split(fields, ':');
        if (count == fields.Length)
        {
            error = "too many fields";
            return false;
        }

        // Parameters are the trailing fields with '='; the two before them are port and direction.
        var last = count - 1;
        while (last >= 0 && entry[fields[last]].Contains('='))
        {
            last--;
        }

        // type, at least one address field, port, direction
        if (last < 3)
        {
            error = "expected type:ip:port:direction";
            return false;
        }

        var type = entry[fields[0]];
        if (type.IsEmpty || type.ContainsAny('=', ' '))
        {
            error = $"bad media type '{type}'";
            return false;
        }

        var addressText = entry[fields[1].Start.Value..fields[last - 2].End.Value];
        if (addressText.IsEmpty)
        {
            error = "missing address";
            return false;
        }

        var portText = entry[fields[last - 1]];
        if (portText.IsEmpty || portText.Length > 5 || portText.ContainsAnyExceptInRange('0', '9')
            || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            error = $"port '{portText}' is not a number from 0 to 65535";
            return false;
        }

        if (!TryParseDirection(entry[fields[last]], out var direction))
        {
            error = $"unknown direction '{entry[fields[last]]}'";
            return false;
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = last + 1; i < count; i++)
        {
            var parameter = entry[fields[i]];
            var equals = parameter.IndexOf('=');
            if (equals <= 0)
            {
                error = $"parameter '{parameter}' has no name";
                return false;
            }

            parameters[parameter[..equals].ToString()] = parameter[(equals + 1)..].ToString();
        }

        // An FQDN in c= is legal SDP; keep the stream with a null address (a relay can still latch onto the sender).
        var address = MediaProxyAddress.TryParse(addressText, out var literal) ? literal : null;
        var ice = parameters.TryGetValue("ice", out var iceValue) && iceValue == "yes";
        stream = new MediaProxyMedia(type.ToString(), addressText.ToString(), address, port, direction, ice, parameters);
        error = null;
        return true;
    }

    private static bool TryParseDirection(ReadOnlySpan<char> text, out MediaProxyDirection direction)
    {
        // The module matches the SDP attribute case-insensitively and copies it as written.
        if (text.Equals("sendrecv", StringComparison.OrdinalIgnoreCase))
        {
            direction = MediaProxyDirection.SendRecv;
        }
        else if (text.Equals("sendonly", StringComparison.OrdinalIgnoreCase))
        {
            direction = MediaProxyDirection.SendOnly;
        }
        else if (text.Equals("recvonly", StringComparison.OrdinalIgnoreCase))
        {
            direction = MediaProxyDirection.RecvOnly;
        }
        else if (text.Equals("inactive", StringComparison.OrdinalIgnoreCase))
        {
            direction = MediaProxyDirection.Inactive;
        }
        else
        {
            direction = default;
            return false;
        }

        return true;
    }
}
