using MediaRelay.Protocols.Stun;

namespace MediaRelay.Protocols;

/// <summary>
/// Demultiplexes a media datagram by its first byte (RFC 7983 section 7): 0-3 STUN, 20-63 DTLS, 128-191 RTP or
/// RTCP; RTCP is told from RTP by the packet type 192-223 in the second byte (RFC 5761 section 4).
/// </summary>
public static class PacketClassifier
{
    /// <summary>Minimum RTCP packet: the 4-byte common header and the sender SSRC (RFC 3550 section 6.4).</summary>
    public const int MinRtcpSize = 8;

    public static PacketKind Classify(ReadOnlySpan<byte> packet)
    {
        if (packet.Length == 0)
        {
            return PacketKind.Invalid;
        }

        var first = packet[0];
        if (first < 4)
        {
            return StunMessage.IsStun(packet) ? PacketKind.Stun : PacketKind.Invalid;
        }

        if (first is >= 20 and <= 63)
        {
            return packet.Length >= 13 ? PacketKind.Dtls : PacketKind.Invalid;
        }

        if (first is < 128 or > 191 || packet.Length < MinRtcpSize)
        {
            return PacketKind.Invalid;
        }

        var second = packet[1];
        if (second is >= 192 and <= 223)
        {
            return PacketKind.Rtcp;
        }

        return Rtp.RtpHeader.TryRead(packet, out _) ? PacketKind.Rtp : PacketKind.Invalid;
    }
}
