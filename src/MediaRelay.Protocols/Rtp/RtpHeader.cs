using System.Buffers.Binary;

namespace MediaRelay.Protocols.Rtp;

/// <summary>
/// The fixed RTP header (RFC 3550 section 5.1), read from a span without copying.
/// </summary>
public readonly struct RtpHeader
{
    /// <summary>Size of the fixed header without CSRCs.</summary>
    public const int FixedSize = 12;

    public RtpHeader(byte payloadType, bool marker, ushort sequenceNumber, uint timestamp, uint ssrc, int headerLength)
    {
        PayloadType = payloadType;
        Marker = marker;
        SequenceNumber = sequenceNumber;
        Timestamp = timestamp;
        Ssrc = ssrc;
        HeaderLength = headerLength;
    }

    public byte PayloadType { get; }
    public bool Marker { get; }
    public ushort SequenceNumber { get; }
    public uint Timestamp { get; }
    public uint Ssrc { get; }

    /// <summary>Fixed header plus CSRC list plus header extension, in bytes.</summary>
    public int HeaderLength { get; }

    /// <summary>
    /// Reads the header. False when the packet is shorter than 12 bytes, the version is not 2, or the CSRC list
    /// or header extension (RFC 3550 section 5.3.1) would run past the end.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out RtpHeader header)
    {
        header = default;
        if (packet.Length < FixedSize || (packet[0] >> 6) != 2)
        {
            return false;
        }

        var length = FixedSize + ((packet[0] & 0x0F) * 4);
        if (length > packet.Length)
        {
            return false;
        }

        if ((packet[0] & 0x10) != 0)
        {
            if (length + 4 > packet.Length)
            {
                return false;
            }

            length += 4 + (BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(length + 2, 2)) * 4);
            if (length > packet.Length)
            {
                return false;
            }
        }

        header = new RtpHeader(
            (byte)(packet[1] & 0x7F),
            (packet[1] & 0x80) != 0,
            BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(2, 2)),
            BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(4, 4)),
            BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(8, 4)),
            length);
        return true;
    }

    /// <summary>Writes a fixed header (version 2, no padding, extension or CSRC) into the first 12 bytes.</summary>
    public static bool TryWrite(Span<byte> destination, byte payloadType, bool marker, ushort sequenceNumber, uint timestamp, uint ssrc)
    {
        if (destination.Length < FixedSize || payloadType > 127)
        {
            return false;
        }

        destination[0] = 0x80;
        destination[1] = (byte)(payloadType | (marker ? 0x80 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2, 2), sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4, 4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(8, 4), ssrc);
        return true;
    }
}
