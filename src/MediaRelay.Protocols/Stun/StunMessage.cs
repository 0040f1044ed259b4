using System.Buffers.Binary;

namespace MediaRelay.Protocols.Stun;

/// <summary>Recognises STUN messages (RFC 5389 section 6) without parsing their attributes.</summary>
public static class StunMessage
{
    public const int HeaderSize = 20;
    public const uint MagicCookie = 0x2112A442;

    /// <summary>
    /// True when the datagram is a STUN message: at least 20 bytes, the two top bits zero, the magic cookie at
    /// offset 4, and a message length that is a multiple of 4 and equals the bytes after the header.
    /// </summary>
    public static bool IsStun(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < HeaderSize || (packet[0] & 0xC0) != 0)
        {
            return false;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(4, 4)) != MagicCookie)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(2, 2));
        return (length & 3) == 0 && length == packet.Length - HeaderSize;
    }

    /// <summary>Writes a Binding Request header with no attributes (for tests and probes).</summary>
    public static bool TryWriteBindingRequest(Span<byte> destination, ReadOnlySpan<byte> transactionId)
    {
        if (destination.Length < HeaderSize || transactionId.Length != 12)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, 0x0001);
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2, 2), 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4, 4), MagicCookie);
        transactionId.CopyTo(destination.Slice(8, 12));
        return true;
    }
}
