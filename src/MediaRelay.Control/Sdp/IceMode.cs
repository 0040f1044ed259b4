namespace MediaRelay.Control.Sdp;

/// <summary>What the rewriter does with ICE attributes (RFC 8445, RFC 8839); rtpengine's "ICE" key.</summary>
public enum IceMode
{
    /// <summary>As <see cref="Force"/> for a stream that arrived with ICE, untouched for one that did not.</summary>
    Default,

    /// <summary>Strip every ICE attribute, leaving plain RTP towards the receiver.</summary>
    Remove,

    /// <summary>Strip the party's ICE attributes and offer the relay as the only candidate, with fresh credentials.</summary>
    Force,
}
