using System.Net;

namespace MediaRelay.Protocols.MediaProxy;

/// <summary>
/// The <c>signaling_ip</c> header. The module sends the <c>signaling_ip_avp</c> AVP if the script set it, else the
/// source address of the SIP message (<c>ip_addr2a</c>, IPv6 without brackets). AG Projects' relay also accepts
/// <c>caller_destination</c>, two addresses joined by an underscore, and binds the callee side of the streams to the
/// interface that routes to the destination. Threading: immutable.
/// </summary>
/// <param name="Caller">The caller's signaling address.</param>
/// <param name="Destination">The destination's signaling address, when the underscore form gave one.</param>
public sealed record MediaProxySignalingIp(IPAddress Caller, IPAddress? Destination)
{
    /// <summary>Parses <c>IP</c> or <c>IP_IP</c>; tolerates brackets around IPv6 addresses. Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out MediaProxySignalingIp? value)
    {
        value = null;
        var underscore = text.IndexOf('_');
        if (underscore < 0)
        {
            if (!TryParseOne(text, out var only))
            {
                return false;
            }

            value = new MediaProxySignalingIp(only!, null);
            return true;
        }

        if (!TryParseOne(text[..underscore], out var caller) || !TryParseOne(text[(underscore + 1)..], out var destination))
        {
            return false;
        }

        value = new MediaProxySignalingIp(caller!, destination);
        return true;
    }

    private static bool TryParseOne(ReadOnlySpan<char> text, out IPAddress? address)
    {
        if (text.Length > 2 && text[0] == '[' && text[^1] == ']')
        {
            text = text[1..^1];
        }

        return MediaProxyAddress.TryParse(text, out address);
    }
}
