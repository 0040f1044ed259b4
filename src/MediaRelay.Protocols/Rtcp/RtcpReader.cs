using System.Buffers.Binary;

namespace MediaRelay.Protocols.Rtcp;

/// <summary>
/// Reads the sender and receiver reports of an RTCP compound packet (RFC 3550 sections 6.4.1 and 6.4.2) for call
/// quality: walks the packets by their length fields, takes the SR's NTP timestamp and the first report block of
/// the first SR or RR. Never throws, allocates nothing; SRTCP's encrypted payload is not readable and reads false.
/// </summary>
public static class RtcpReader
{
    private const byte SenderReport = 200;
    private const byte ReceiverReport = 201;

    public static bool TryRead(ReadOnlySpan<byte> packet, out RtcpSummary summary)
    {
        summary = default;
        var offset = 0;
        while (offset + 8 <= packet.Length)
        {
            var header = packet[offset..];
            if ((header[0] >> 6) != 2)
            {
                return false;
            }

            var length = (BinaryPrimitives.ReadUInt16BigEndian(header[2..]) + 1) * 4;
            if (length > header.Length)
            {
                return false;
            }

            var body = header[..length];
            var type = body[1];
            var count = body[0] & 0x1F;
            if (type is SenderReport or ReceiverReport)
            {
                // The length field counts from the header: 0 leaves no room for the sender's SSRC (fuzzing finding).
                if (body.Length < 8)
                {
                    return false;
                }

                var sender = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                var blocks = 8;
                uint ntpMiddle = 0;
                if (type == SenderReport)
                {
                    if (body.Length < 28)
                    {
                        return false;
                    }

                    // NTP seconds' low 16 bits and fraction's high 16 bits: what a later report's LSR names.
                    ntpMiddle = BinaryPrimitives.ReadUInt32BigEndian(body[10..]);
                    blocks = 28;
                }

                var hasReport = count > 0 && body.Length >= blocks + 24;
                var report = hasReport ? ReadBlock(body.Slice(blocks, 24)) : default;
                summary = new RtcpSummary(sender, ntpMiddle, hasReport, report);
                return true;
            }

            offset += length;
        }

        return false;
    }

    private static RtcpReportBlock ReadBlock(ReadOnlySpan<byte> block)
    {
        // Cumulative lost is a signed 24-bit number.
        var lost = (block[5] << 16) | (block[6] << 8) | block[7];
        if ((lost & 0x800000) != 0)
        {
            lost -= 0x1000000;
        }

        return new RtcpReportBlock(
            BinaryPrimitives.ReadUInt32BigEndian(block),
            block[4],
            lost,
            BinaryPrimitives.ReadUInt32BigEndian(block[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(block[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(block[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(block[20..]));
    }
}
