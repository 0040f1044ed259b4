namespace MediaRelay.Protocols;

/// <summary>What arrived on a media port.</summary>
public enum PacketKind
{
    /// <summary>Not a packet the relay forwards: counted and dropped.</summary>
    Invalid,
    Stun,
    Dtls,
    Rtp,
    Rtcp,
}
