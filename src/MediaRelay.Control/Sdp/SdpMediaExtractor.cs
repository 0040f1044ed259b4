using System.Globalization;
using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Protocols.Sdp;

namespace MediaRelay.Control.Sdp;

/// <summary>
/// Reduces one party's SDP to what the session model needs: one <see cref="MediaDescription"/> per m-line, in
/// order. Stateless and thread-safe.
/// </summary>
public static class SdpMediaExtractor
{
    /// <summary>
    /// Extracts every m-line. A stream whose SDP gives no connection address at all (neither media nor session
    /// level, which RFC 8866 section 5.7 forbids) gets the trusted address if one is given, else 0.0.0.0, which
    /// the session model reads as hold; use <see cref="TryExtract"/> to refuse such SDP instead.
    /// </summary>
    /// <param name="sdp">The party's SDP.</param>
    /// <param name="trustedAddress">
    /// The address to use instead of the SDP's (the SIP source address, or an explicit media address), or null
    /// to trust the SDP. A 0.0.0.0 or :: connection address stays as it is: it means hold (RFC 3264 section 8.4).
    /// </param>
    public static IReadOnlyList<MediaDescription> Extract(SdpSession sdp, IPAddress? trustedAddress)
    {
        TryExtract(sdp, trustedAddress, out var media, out _);
        return media;
    }

    /// <summary>As <see cref="Extract"/>, but fails when a stream that is not rejected (port 0) has no connection address.</summary>
    public static bool TryExtract(SdpSession sdp, IPAddress? trustedAddress, out IReadOnlyList<MediaDescription> media, out string? error)
    {
        ArgumentNullException.ThrowIfNull(sdp);
        error = null;
        var result = new List<MediaDescription>(sdp.Media.Count);
        var sessionDirection = DirectionOf(sdp);
        var sessionIce = sdp.HasAttribute("ice-ufrag");
        for (var i = 0; i < sdp.Media.Count; i++)
        {
            var m = sdp.Media[i];
            var sdpAddress = (m.Connection ?? sdp.Connection)?.Address;
            if (sdpAddress is null && m.Port != 0 && trustedAddress is null)
            {
                error ??= $"m-line {i + 1} ({m.MediaType}) has no connection address";
            }

            var address = sdpAddress switch
            {
                null => trustedAddress ?? IPAddress.Any,
                _ when SdpConnection.IsUnspecifiedAddress(sdpAddress) => sdpAddress,
                _ => trustedAddress ?? sdpAddress,
            };

            result.Add(new MediaDescription(
                m.MediaType,
                address,
                m.Port,
                DirectionOf(m) ?? sessionDirection ?? MediaDirection.SendRecv,
                IceOffered: sessionIce || m.HasAttribute("candidate") || m.HasAttribute("ice-ufrag"),
                RtcpMux: m.HasAttribute("rtcp-mux"),
                RtcpPort: RtcpPortOf(m),
                Protocol: m.Proto,
                ClockRates: ClockRatesOf(m)));
        }

        media = result;
        return error is null;
    }

    /// <summary>Clock rates by payload type from a=rtpmap:PT NAME/RATE[/CHANNELS]; null when there is none.</summary>
    private static Dictionary<int, int>? ClockRatesOf(SdpMedia media)
    {
        Dictionary<int, int>? rates = null;
        var lines = media.Lines;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Type != 'a' || !SdpAttribute.LineIs(line.Value, "rtpmap"))
            {
                continue;
            }

            var value = SdpAttribute.ValueOf(line.Value);
            var space = value.IndexOf(' ');
            var slash = space < 0 ? -1 : value[space..].IndexOf('/');
            if (slash < 0 || !int.TryParse(value[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var payloadType))
            {
                continue;
            }

            var rate = value[(space + slash + 1)..];
            var end = rate.IndexOf('/');
            if (int.TryParse(end < 0 ? rate : rate[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var clockRate) && clockRate > 0)
            {
                (rates ??= [])[payloadType] = clockRate;
            }
        }

        return rates;
    }

    /// <summary>The first direction attribute of a level (RFC 8866 section 6.7), or null when it has none.</summary>
    internal static MediaDirection? DirectionOf(SdpSection section)
    {
        var lines = section.Lines;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Type == 'a' && TryParseDirection(SdpAttribute.NameOf(line.Value), out var direction))
            {
                return direction;
            }
        }

        return null;
    }

    /// <summary>A direction attribute's name (ASCII case ignored), read without allocating.</summary>
    internal static bool TryParseDirection(ReadOnlySpan<char> name, out MediaDirection direction)
    {
        MediaDirection? parsed =
            name.Equals("sendrecv", StringComparison.OrdinalIgnoreCase) ? MediaDirection.SendRecv
            : name.Equals("sendonly", StringComparison.OrdinalIgnoreCase) ? MediaDirection.SendOnly
            : name.Equals("recvonly", StringComparison.OrdinalIgnoreCase) ? MediaDirection.RecvOnly
            : name.Equals("inactive", StringComparison.OrdinalIgnoreCase) ? MediaDirection.Inactive
            : null;
        direction = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }

    // a=rtcp:<port> [IN IP4 <address>] (RFC 3605 section 2.1); a port that does not parse is ignored.
    private static int? RtcpPortOf(SdpMedia media)
    {
        if (!media.TryGetAttribute("rtcp", out var rtcp) || rtcp.Value is null)
        {
            return null;
        }

        var text = rtcp.Value.AsSpan().Trim();
        var space = text.IndexOf(' ');
        if (space >= 0)
        {
            text = text[..space];
        }

        return text.Length is > 0 and <= 5
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535
            ? port
            : null;
    }
}
