namespace MediaRelay.Control.Sdp;

/// <summary>What the rewriter does with a=rtcp-mux (RFC 5761 section 5.1.1); rtpengine's "rtcp-mux" list.</summary>
public enum RtcpMuxMode
{
    /// <summary>Leave a=rtcp-mux as the party wrote it.</summary>
    PassThrough,

    /// <summary>Add a=rtcp-mux even when the party did not offer it.</summary>
    Offer,

    /// <summary>
    /// Add a=rtcp-mux and advertise no separate RTCP port (a=rtcp names the RTP port, no RTCP ICE component).
    /// Against RFC 5761 in an initial offer, but what WebRTC endpoints expect.
    /// </summary>
    Require,

    /// <summary>Do not pass a=rtcp-mux on to the receiver; the relay demultiplexes.</summary>
    Demux,

    /// <summary>Go along with rtcp-mux when the party offered it; the SDP text is passed through.</summary>
    Accept,

    /// <summary>Remove a=rtcp-mux (refuse it).</summary>
    Reject,
}
