using System.Net;
using MediaRelay.Protocols.Sdp;

namespace MediaRelay.Protocols.MediaProxy;

/// <summary>
/// Strict IP literal parsing for the addresses in MediaProxy headers: a dotted quad or an IPv6 address without
/// brackets or zone, as the module copies them from <c>c=</c> lines and Kamailio's <c>ip_addr2a</c>.
/// </summary>
internal static class MediaProxyAddress
{
    public static bool TryParse(ReadOnlySpan<char> text, out IPAddress? address) =>
        SdpAddress.TryParse(text.Contains(':') ? "IP6" : "IP4", text, out address);
}
