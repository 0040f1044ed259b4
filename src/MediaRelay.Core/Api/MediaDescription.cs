using System.Net;
using MediaRelay.Protocols.Sdp;

namespace MediaRelay.Core.Api;

/// <summary>Which way media may flow, as one party's SDP states it (RFC 4566 section 6, RFC 3264 section 5.1).</summary>
public enum MediaDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

/// <summary>
/// One m-line of one party's SDP, reduced to what the relay needs. Control protocols build it from SDP;
/// the session model never sees SDP text.
/// </summary>
/// <param name="MediaType">The m-line's media, e.g. "audio", "video".</param>
/// <param name="Address">The connection address (media-level c=, else session-level). 0.0.0.0 or :: means hold (RFC 3264 section 8.4).</param>
/// <param name="Port">The m-line port; 0 rejects or closes the stream (RFC 3264 section 8.2).</param>
/// <param name="Direction">The direction attribute, SendRecv when absent.</param>
/// <param name="IceOffered">The party offered ICE candidates on this m-line (RFC 8445).</param>
/// <param name="RtcpMux">The party offered or accepted rtcp-mux (RFC 5761).</param>
/// <param name="RtcpPort">The port from a=rtcp (RFC 3605), or null for Port + 1.</param>
/// <param name="Protocol">The m-line's transport protocol, e.g. "RTP/AVP", "RTP/SAVPF".</param>
/// <param name="ClockRates">RTP clock rates by payload type from a=rtpmap (for jitter in milliseconds), or null.</param>
public sealed record MediaDescription(
    string MediaType,
    IPAddress Address,
    int Port,
    MediaDirection Direction = MediaDirection.SendRecv,
    bool IceOffered = false,
    bool RtcpMux = false,
    int? RtcpPort = null,
    string Protocol = "RTP/AVP",
    IReadOnlyDictionary<int, int>? ClockRates = null)
{
    /// <summary>True when the party asks not to receive media: hold by direction or by the null address.</summary>
    public bool IsHold =>
        Direction is MediaDirection.SendOnly or MediaDirection.Inactive || SdpConnection.IsUnspecifiedAddress(Address);

    /// <summary>The RTP endpoint from SDP, or null when the party gave no usable address (hold, port 0).</summary>
    public IPEndPoint? RtpEndPoint =>
        Port == 0 || SdpConnection.IsUnspecifiedAddress(Address) ? null : new IPEndPoint(Address, Port);

    /// <summary>The RTCP endpoint from SDP: a=rtcp, else RTP port + 1, else the RTP endpoint when muxed.</summary>
    public IPEndPoint? RtcpEndPoint =>
        RtpEndPoint is null ? null : new IPEndPoint(Address, RtcpMux ? Port : RtcpPort ?? Port + 1);
}
