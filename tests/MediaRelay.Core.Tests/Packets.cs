using System.Net;
using MediaRelay.Protocols.Rtp;
using MediaRelay.Protocols.Stun;

namespace MediaRelay.Core.Tests;

internal static class Packets
{
    public static byte[] Rtp(ushort sequence, byte payloadType = 0, int payload = 160)
    {
        var packet = new byte[RtpHeader.FixedSize + payload];
        RtpHeader.TryWrite(packet, payloadType, false, sequence, sequence * 160u, 0x1234);
        packet[^1] = (byte)sequence;
        return packet;
    }

    public static byte[] Rtcp()
    {
        // A receiver report with no report blocks (RFC 3550 section 6.4.2): V=2, PT=201, length 1.
        return [0x80, 201, 0, 1, 0, 0, 0x12, 0x34];
    }

    public static byte[] Stun(byte id = 1)
    {
        var packet = new byte[StunMessage.HeaderSize];
        var transaction = new byte[12];
        transaction[0] = id;
        StunMessage.TryWriteBindingRequest(packet, transaction);
        return packet;
    }

    public static IPEndPoint Ep(string address, int port) => new(IPAddress.Parse(address), port);
}
