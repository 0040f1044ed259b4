using System.Net;
using System.Net.Sockets;
using MediaRelay.Control.Sdp;
using MediaRelay.Core.Api;

namespace MediaRelay.Control.Ng;

/// <summary>
/// Reads the SDP-related keys and flags of an offer or answer, in rtpengine's spellings, into rewrite options and
/// the addresses the model should trust. Kamailio's rtpengine module turns its flag string into these keys
/// (<c>replace-origin</c> into <c>replace: [origin]</c>, <c>ICE=remove</c> into <c>ICE: remove</c>, <c>RTP/AVP</c>
/// into <c>transport-protocol</c>); the flag forms are read too, for other clients.
/// </summary>
internal static class NgSdpOptions
{
    public static SdpRewriteOptions Rewrite(NgRequest request)
    {
        var options = new SdpRewriteOptions
        {
            ReplaceOrigin = Replaces(request, "origin"),
            ReplaceSessionConnection = Replaces(request, "session connection"),
            ReplaceZeroAddress = Replaces(request, "zero address"),
            FullRtcpAttribute = request.HasFlag("full rtcp attribute"),
            NoRtcpAttribute = request.HasFlag("no rtcp attribute"),
        };

        var ice = request.GetString("ICE") is { } iceText ? NgNames.Normalize(iceText) : null;
        options.Ice = ice switch
        {
            "remove" => IceMode.Remove,
            "force" or "force relay" => IceMode.Force,
            _ => IceMode.Default,
        };

        foreach (var mux in request.GetNormalizedList("rtcp mux"))
        {
            options.RtcpMux = mux switch
            {
                "offer" => RtcpMuxMode.Offer,
                "require" => RtcpMuxMode.Require,
                "demux" => RtcpMuxMode.Demux,
                "accept" => RtcpMuxMode.Accept,
                "reject" => RtcpMuxMode.Reject,
                _ => options.RtcpMux,
            };
        }

        var transport = request.GetString("transport protocol");
        if (transport is null)
        {
            foreach (var flag in request.GetList("flags"))
            {
                if (flag.StartsWith("RTP/", StringComparison.OrdinalIgnoreCase) || flag.StartsWith("UDP/TLS/", StringComparison.OrdinalIgnoreCase))
                {
                    transport = flag.ToUpperInvariant();
                }
            }
        }

        options.TransportProtocol = transport;
        options.AddressFamily = NgNames.Normalize(request.GetString("address family") ?? "") switch
        {
            "ip4" => AddressFamily.InterNetwork,
            "ip6" => AddressFamily.InterNetworkV6,
            _ => null,
        };

        return options;
    }

    /// <summary>
    /// Where the offer's streams get their ports: <c>direction</c> (the offerer's interface, then the answerer's),
    /// <c>from-interface</c> / <c>to-interface</c> (the same, one at a time, and winning), and <c>address family</c>
    /// (IP4 or IP6: the family of the answerer's side, which really bridges the families).
    /// </summary>
    public static MediaPlacement Placement(NgRequest request)
    {
        var direction = request.GetList("direction");
        var offerer = request.GetString("from interface") ?? (direction.Count > 0 ? direction[0] : null);
        var answerer = request.GetString("to interface") ?? (direction.Count > 1 ? direction[1] : null);
        AddressFamily? family = NgNames.Normalize(request.GetString("address family") ?? "") switch
        {
            "ip4" => AddressFamily.InterNetwork,
            "ip6" => AddressFamily.InterNetworkV6,
            _ => null,
        };
        return offerer is null && answerer is null && family is null
            ? MediaPlacement.Default
            : new MediaPlacement(Blank(offerer), Blank(answerer), family);
    }

    private static string? Blank(string? name) => string.IsNullOrWhiteSpace(name) ? null : name.Trim();

    /// <summary>
    /// The address the SIP message came from (<c>received from: ["IP4", "203.0.113.5"]</c>); the model prefers it
    /// while latching, and with the flag <c>SIP source address</c> it replaces the SDP's addresses.
    /// </summary>
    public static IPAddress? ReceivedFrom(NgRequest request)
    {
        var parts = request.GetList("received from");
        var text = parts.Count switch
        {
            >= 2 => parts[1],
            1 => parts[0],
            _ => null,
        };
        return text is not null && IPAddress.TryParse(text, out var address) ? address : null;
    }

    /// <summary>
    /// The address to use instead of the SDP's: <c>media address</c> when given, else the SIP source address when the
    /// proxy asked for it and did not say to trust the SDP.
    /// </summary>
    public static IPAddress? TrustedOverride(NgRequest request, IPAddress? receivedFrom) =>
        request.GetString("media address") is { } text && IPAddress.TryParse(text, out var media) ? media
        : request.HasFlag("SIP source address") && !request.HasFlag("trust address") ? receivedFrom : null;

    private static bool Replaces(NgRequest request, string what) =>
        request.ListContains("replace", what) || request.HasFlag("replace " + what);
}
