using System.Net;
using System.Net.Sockets;

namespace MediaRelay.Protocols.Sdp;

/// <summary>Strict parsing and formatting of the unicast addresses SDP carries (RFC 8866 section 9, "IP4-address", "IP6-address").</summary>
internal static class SdpAddress
{
    /// <summary>
    /// Parses an address of the given SDP address type. Stricter than <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>,
    /// which takes "1" for 0.0.0.1 and accepts brackets and zone indices that SDP does not allow.
    /// </summary>
    public static bool TryParse(string addressType, ReadOnlySpan<char> text, out IPAddress? address)
    {
        address = null;
        if (addressType == "IP4")
        {
            return IsDottedQuad(text) && IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetwork;
        }

        if (addressType == "IP6")
        {
            if (text.IsEmpty || text.IndexOfAny('%', '[', ']') >= 0 || text.IndexOf(':') < 0)
            {
                return false;
            }

            if (IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                return true;
            }

            address = null;
        }

        return false;
    }

    /// <summary>"IP4" or "IP6" for the address's family.</summary>
    public static string TypeOf(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4";

    private static bool IsDottedQuad(ReadOnlySpan<char> text)
    {
        var parts = 0;
        var digits = 0;
        var value = 0;
        foreach (var c in text)
        {
            if (c == '.')
            {
                if (digits == 0)
                {
                    return false;
                }

                parts++;
                digits = 0;
                value = 0;
                continue;
            }

            if (c is < '0' or > '9' || ++digits > 3)
            {
                return false;
            }

            value = (value * 10) + (c - '0');
            if (value > 255)
            {
                return false;
            }
        }

        return parts == 3 && digits > 0;
    }
}
