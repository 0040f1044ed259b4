using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using MediaRelay.Protocols.Sdp;

namespace MediaRelay.Control.Sdp;

/// <summary>The ICE attributes the rewriter removes and the ones it writes for the relay (RFC 8839). Stateless and thread-safe.</summary>
internal static class SdpIce
{
    /// <summary>ice-char (RFC 8839 section 5.4) minus '+' and '/', which some parsers mishandle.</summary>
    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    // Host type preference 126 and the single-interface local preference 65535 (RFC 8445 section 5.1.2.2).
    private const uint HostTypePreference = 126;
    private const uint LocalPreference = 65535;

    private static readonly string[] AttributeNames =
        ["candidate", "ice-ufrag", "ice-pwd", "ice-options", "ice-lite", "end-of-candidates", "remote-candidates"];

    /// <summary>True when the level carries any ICE attribute.</summary>
    public static bool HasIce(SdpSection section) => section.HasAnyAttribute(AttributeNames);

    /// <summary>Removes every ICE attribute of the level.</summary>
    public static void Strip(SdpSection section) => section.RemoveAttributes(AttributeNames);

    /// <summary>A random ice-ufrag (RFC 8839 section 5.4: at least 24 bits of randomness; 8 characters give 47).</summary>
    public static string NewUsernameFragment() => RandomNumberGenerator.GetString(IceChars, 8);

    /// <summary>A random ice-pwd (at least 128 bits of randomness; 24 characters give 142).</summary>
    public static string NewPassword() => RandomNumberGenerator.GetString(IceChars, 24);

    /// <summary>Appends credentials and one host candidate per component: RTP is component 1, RTCP component 2.</summary>
    public static void AddRelayCandidates(SdpMedia media, string usernameFragment, string password, IPAddress address, int rtpPort, int? rtcpPort)
    {
        media.AddAttribute("ice-ufrag", usernameFragment);
        media.AddAttribute("ice-pwd", password);
        media.AddAttribute("candidate", Candidate(address, 1, rtpPort));
        if (rtcpPort is { } port)
        {
            media.AddAttribute("candidate", Candidate(address, 2, port));
        }
    }

    /// <summary>The priority of a host candidate (RFC 8445 section 5.1.2.1).</summary>
    public static uint HostPriority(int component) => (HostTypePreference << 24) | (LocalPreference << 8) | (uint)(256 - component);

    /// <summary>A foundation that is the same for the same relay address, as RFC 8445 section 5.1.1.3 asks (FNV-1a of the address).</summary>
    public static string Foundation(IPAddress address)
    {
        var hash = 2166136261u;
        foreach (var b in address.GetAddressBytes())
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash.ToString(CultureInfo.InvariantCulture);
    }

    private static string Candidate(IPAddress address, int component, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"{Foundation(address)} {component} UDP {HostPriority(component)} {address} {port} typ host");
}
