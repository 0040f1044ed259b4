using MediaRelay.Protocols.Rtp;

namespace MediaRelay.Transport.Tests;

internal static class Rtp
{
    public static byte[] Packet(ushort sequence, uint ssrc, int payload = 160)
    {
        var packet = new byte[RtpHeader.FixedSize + payload];
        RtpHeader.TryWrite(packet, 0, false, sequence, sequence * 160u, ssrc);
        for (var i = RtpHeader.FixedSize; i < packet.Length; i++)
        {
            packet[i] = (byte)(i * 7 + sequence);
        }

        return packet;
    }
}
