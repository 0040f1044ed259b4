using System.Net;

namespace MediaRelay.Protocols.Sdp;

/// <summary>
/// A "c=" line (RFC 8866 section 5.7): "IN IP4|IP6 &lt;address&gt;[/ttl][/count]". Only Internet addresses in
/// numeric form are accepted; the relay must be able to send to them.
/// </summary>
/// <param name="NetworkType">Always "IN".</param>
/// <param name="AddressType">"IP4" or "IP6".</param>
/// <param name="Address">The parsed address.</param>
/// <param name="Suffix">The multicast "/ttl" and "/count" text as written, or null.</param>
public sealed record SdpConnection(string NetworkType, string AddressType, IPAddress Address, string? Suffix = null)
{
    /// <summary>A unicast connection for the address, with the address type following its family.</summary>
    public static SdpConnection For(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new SdpConnection("IN", SdpAddress.TypeOf(address), address);
    }

    /// <summary>True when the address is 0.0.0.0 or ::, the old way to put a stream on hold (RFC 3264 section 8.4).</summary>
    public bool IsUnspecified => IsUnspecifiedAddress(Address);

    /// <summary>True for 0.0.0.0 and ::, the "no address" of hold (RFC 3264 section 8.4).</summary>
    public static bool IsUnspecifiedAddress(IPAddress address) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    /// <summary>Parses the value of a c= line. Never throws.</summary>
    public static bool TryParse(string? value, out SdpConnection? connection, out string? error)
    {
        connection = null;
        if (value is null)
        {
            error = "missing c= value";
            return false;
        }

        var fields = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 3)
        {
            error = "c= must be '<nettype> <addrtype> <address>'";
            return false;
        }

        if (fields[0] != "IN")
        {
            error = $"c= network type '{fields[0]}' is not IN";
            return false;
        }

        var addressType = fields[1];
        if (addressType is not ("IP4" or "IP6"))
        {
            error = $"c= address type '{addressType}' is not IP4 or IP6";
            return false;
        }

        var text = fields[2];
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        string? suffix = null;
        if (slash >= 0)
        {
            suffix = text[slash..];
            text = text[..slash];
            if (!IsSlashNumbers(suffix, addressType == "IP4" ? 2 : 1))
            {
                error = $"c= address suffix '{suffix}' is malformed";
                return false;
            }
        }

        if (!SdpAddress.TryParse(addressType, text, out var address))
        {
            error = $"c= address '{text}' is not a valid {addressType} address";
            return false;
        }

        connection = new SdpConnection("IN", addressType, address!, suffix);
        error = null;
        return true;
    }

    /// <summary>The c= value, e.g. "IN IP4 192.0.2.1".</summary>
    public override string ToString() => $"{NetworkType} {AddressType} {Address}{Suffix}";

    // "/ttl/count" for IP4, "/count" for IP6 (RFC 8866 section 5.7): one or two groups of 1-10 digits.
    private static bool IsSlashNumbers(string suffix, int maxGroups)
    {
        var groups = suffix.Split('/');
        if (groups.Length - 1 > maxGroups)
        {
            return false;
        }

        for (var i = 1; i < groups.Length; i++)
        {
            if (groups[i].Length is 0 or > 10 || !groups[i].All(char.IsAsciiDigit))
            {
                return false;
            }
        }

        return groups[0].Length == 0;
    }
}
