using System.Net.Sockets;
using MediaRelay.Core.Api;

namespace MediaRelay.Control.Sdp;

/// <summary>
/// How <see cref="SdpRewriter"/> rewrites one SDP, modelled on rtpengine's ng options. Every property states its
/// default; the defaults touch only what a relay must (m= ports, connection addresses, a=rtcp, ICE that was offered).
/// Mutable and not thread-safe; build one per request.
/// </summary>
public sealed class SdpRewriteOptions
{
    /// <summary>
    /// Rewrite the session-level c= line even when every m-line has its own c= ("replace: session connection").
    /// Without it the session-level c= is rewritten only when some m-line inherits it. Default false.
    /// </summary>
    public bool ReplaceSessionConnection { get; set; }

    /// <summary>Rewrite the address and address type of the o= line to the relay's ("replace: origin"). Default false.</summary>
    public bool ReplaceOrigin { get; set; }

    /// <summary>
    /// Replace a 0.0.0.0 or :: connection address (hold, RFC 3264 section 8.4) with the relay address
    /// ("replace: zero address"). Default false: the zero address passes through, as rtpengine does.
    /// </summary>
    public bool ReplaceZeroAddress { get; set; }

    /// <summary>ICE handling ("ICE"). Default <see cref="IceMode.Default"/>.</summary>
    public IceMode Ice { get; set; } = IceMode.Default;

    /// <summary>The a=ice-ufrag the relay writes when it adds ICE, or null for a fresh random one (8 characters) per rewrite. Default null.</summary>
    public string? IceUsernameFragment { get; set; }

    /// <summary>The a=ice-pwd the relay writes when it adds ICE, or null for a fresh random one (24 characters) per rewrite. Default null.</summary>
    public string? IcePassword { get; set; }

    /// <summary>rtcp-mux handling ("rtcp-mux"). Default <see cref="RtcpMuxMode.PassThrough"/>.</summary>
    public RtcpMuxMode RtcpMux { get; set; } = RtcpMuxMode.PassThrough;

    /// <summary>
    /// The address family the receiver wants ("address family": IP4 or IP6), or null to write each relay address
    /// in its own family. The caller picks the relay address of that family; when it could not, an IPv4 address is
    /// written IPv4-mapped for IP6 (and a mapped address unmapped for IP4). Default null.
    /// </summary>
    public AddressFamily? AddressFamily { get; set; }

    /// <summary>Write this transport protocol into every m= line ("transport protocol", e.g. "RTP/AVP"), or null to keep it. Default null.</summary>
    public string? TransportProtocol { get; set; }

    /// <summary>
    /// Write this direction attribute on every m-line in place of the party's (and drop session-level ones), or
    /// null to keep the direction attributes as they were. Default null.
    /// </summary>
    public MediaDirection? Direction { get; set; }

    /// <summary>Write a=rtcp with the address too ("full rtcp attribute"): "a=rtcp:PORT IN IP4 ADDR". Default false: "a=rtcp:PORT", unless the party's a=rtcp had an address.</summary>
    public bool FullRtcpAttribute { get; set; }

    /// <summary>Remove a=rtcp instead of writing it ("no rtcp attribute"). Default false.</summary>
    public bool NoRtcpAttribute { get; set; }
}
