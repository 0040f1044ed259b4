namespace MediaRelay.Protocols.MediaProxy;

/// <summary>The <c>type</c> header of an <c>update</c>: whether the SDP came in a SIP request or a SIP reply.</summary>
public enum MediaProxyMessageType
{
    /// <summary><c>type: request</c> (INVITE, re-INVITE, UPDATE, ACK with SDP).</summary>
    Request,

    /// <summary><c>type: reply</c> (1xx or 2xx with SDP, or a 200 OK to INVITE without SDP).</summary>
    Reply,
}
