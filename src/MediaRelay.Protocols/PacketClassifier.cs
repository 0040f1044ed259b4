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
            return IsDtlsRecord(packet) ? PacketKind.Dtls : PacketKind.Invalid;
        }

        if (first is < 128 or > 191 || packet.Length < MinRtcpSize)
        {
            return PacketKind.Invalid;
        }

        var second = packet[1];
        if (second is >= 192 and <= 223)
        {
            return IsRtcpHeader(packet) ? PacketKind.Rtcp : PacketKind.Invalid;
        }

        return Rtp.RtpHeader.TryRead(packet, out _) ? PacketKind.Rtp : PacketKind.Invalid;
    }

    /// <summary>
    /// A DTLS record (RFC 9147 section 4): a plaintext record header (content type 20-25, version 0xFEFF DTLS 1.0 or
    /// 0xFEFD 1.2, a length that fits), or a DTLS 1.3 ciphertext record (first byte 32-63, the unified header), which
    /// only follows a handshake and so may be relayed but never latches a remote (see <see cref="MayLatch"/>).
    /// </summary>
    public static bool IsDtlsRecord(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 13)
        {
            return false;
        }

        var first = packet[0];
        if (first is >= 32 and <= 63)
        {
            return true;
        }

        if (first is < 20 or > 25 || packet[1] != 0xFE || packet[2] is not (0xFF or 0xFD))
        {
            return false;
        }

        return ((packet[11] << 8) | packet[12]) + 13 <= packet.Length;
    }

    /// <summary>
    /// Whether a packet of this kind may teach the relay where a party is. A DTLS 1.3 ciphertext record is checked
    /// by no header a stranger could not forge (a quarter of random bytes start with 32-63), and a real one only
    /// comes after the party's handshake has latched its address: it is relayed from the learned source only.
    /// </summary>
    public static bool MayLatch(PacketKind kind, ReadOnlySpan<byte> packet) =>
        kind != PacketKind.Dtls || packet[0] < 32;

    /// <summary>
    /// The first header of an RTCP compound packet as RFC 3550 A.2 checks it: version 2 (the caller checked the first
    /// byte), no padding (only a compound's last packet may pad), a packet type RTCP defines (192-195, 200-213: SR, RR,
    /// SDES, BYE, APP, feedback, XR and their kin), and a length that fits the datagram (which may be longer: the
    /// packets that follow, or SRTCP's trailer). Random bytes pass this about once in 10,000; they are counted and
    /// dropped instead of latching a remote.
    /// </summary>
    public static bool IsRtcpHeader(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < MinRtcpSize || (packet[0] & 0xE0) != 0x80)
        {
            return false;
        }

        var type = packet[1];
        if (type is not ((>= 192 and <= 195) or (>= 200 and <= 213)))
        {
            return false;
        }

        var length = ((packet[2] << 8) | packet[3]) + 1;
        return length * 4 <= packet.Length;
    }
}
