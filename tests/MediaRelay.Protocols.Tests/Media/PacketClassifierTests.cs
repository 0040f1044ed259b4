using MediaRelay.Protocols;
using MediaRelay.Protocols.Rtp;
using MediaRelay.Protocols.Stun;

namespace MediaRelay.Protocols.Tests.Media;

/// <summary>Byte-literal tests of what a media port accepts: RTP headers, RTCP, STUN and DTLS, and what it drops.</summary>
public sealed class PacketClassifierTests
{
    // RTP: V=2, PT 0, seq 0x1234, ts 0x00000160, SSRC 0xDEADBEEF, then 4 payload bytes.
    private static readonly byte[] Rtp = [0x80, 0x00, 0x12, 0x34, 0x00, 0x00, 0x01, 0x60, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4];

    // RTCP receiver report with no report block: V=2, RC 0, PT 201, length 1 (8 bytes), SSRC.
    private static readonly byte[] RtcpRr = [0x80, 201, 0x00, 0x01, 0xDE, 0xAD, 0xBE, 0xEF];

    // STUN Binding Request, no attributes: type 0x0001, length 0, magic cookie, 12-byte transaction id.
    private static readonly byte[] Stun = [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

    // DTLS 1.2 handshake record header (type 22, version 0xFEFD, epoch 0, seq 0, length 1) and one byte.
    private static readonly byte[] Dtls = [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0x01];

    [Fact]
    public void Each_kind_is_told_apart_by_its_header()
    {
        Assert.Equal(PacketKind.Rtp, PacketClassifier.Classify(Rtp));
        Assert.Equal(PacketKind.Rtcp, PacketClassifier.Classify(RtcpRr));
        Assert.Equal(PacketKind.Stun, PacketClassifier.Classify(Stun));
        Assert.Equal(PacketKind.Dtls, PacketClassifier.Classify(Dtls));
        Assert.Equal(PacketKind.Invalid, PacketClassifier.Classify([]));
    }

    [Fact]
    public void Rtp_headers_whose_csrcs_or_extension_overrun_the_datagram_are_invalid()
    {
        // CC = 3 needs 12 + 12 bytes; the datagram has 16.
        byte[] csrcOverrun = [0x83, .. Rtp[1..]];
        // X set: a 4-byte extension header at 12 says 2 words follow (8 bytes); only 0 remain after it.
        byte[] extensionOverrun = [0x90, 0x00, 0x12, 0x34, 0, 0, 1, 0x60, 0xDE, 0xAD, 0xBE, 0xEF, 0xBE, 0xDE, 0x00, 0x02];
        // The same with the 8 bytes present is valid, and its header is 24 bytes long.
        byte[] extensionFits = [.. extensionOverrun, 1, 2, 3, 4, 5, 6, 7, 8];

        Assert.False(RtpHeader.TryRead(csrcOverrun, out _));
        Assert.Equal(PacketKind.Invalid, PacketClassifier.Classify(csrcOverrun));
        Assert.False(RtpHeader.TryRead(extensionOverrun, out _));
        Assert.True(RtpHeader.TryRead(extensionFits, out var header));
        Assert.Equal(24, header.HeaderLength);
        Assert.Equal(0xDEADBEEFu, header.Ssrc);
        Assert.Equal((ushort)0x1234, header.SequenceNumber);
    }

    [Fact]
    public void Rtcp_must_have_an_rtcp_packet_type_no_padding_first_and_a_length_that_fits()
    {
        byte[] lengthOverrun = [0x80, 201, 0x00, 0x05, 0xDE, 0xAD, 0xBE, 0xEF]; // says 24 bytes, has 8
        byte[] unknownType = [0x80, 199, 0x00, 0x01, 0xDE, 0xAD, 0xBE, 0xEF];
        byte[] paddedFirst = [0xA0, 201, 0x00, 0x01, 0xDE, 0xAD, 0xBE, 0xEF];
        byte[] withSrtcpTrailer = [.. RtcpRr, 0x80, 0, 0, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]; // E flag, index, auth tag

        Assert.Equal(PacketKind.Invalid, PacketClassifier.Classify(lengthOverrun));
        Assert.Equal(PacketKind.Invalid, PacketClassifier.Classify(unknownType));
        Assert.Equal(PacketKind.Invalid, PacketClassifier.Classify(paddedFirst));
        Assert.Equal(PacketKind.Rtcp, PacketClassifier.Classify(withSrtcpTrailer));
    }

    [Fact]
    public void Stun_needs_the_magic_cookie_and_an_exact_length()
    {
        byte[] badCookie = [.. Stun];
        badCookie[4] = 0x22;
        byte[] lengthMismatch = [.. Stun];
        lengthMismatch[3] = 4; // says 4 attribute bytes follow; none do

        Assert.True(StunMessage.IsStun(Stun));
        Assert.False(StunMessage.IsStun(badCookie));
        Assert.Equal(PacketKind.Invalid, PacketClassifier.Classify(badCookie));
        Assert.False(StunMessage.IsStun(lengthMismatch));
        Assert.Equal(PacketKind.Invalid, PacketClassifier.Classify(lengthMismatch));
    }

    [Fact]
    public void Dtls_needs_a_record_header_and_only_plaintext_records_may_latch()
    {
        byte[] wrongVersion = [.. Dtls];
        wrongVersion[1] = 0x03; // TLS, not DTLS
        byte[] lengthOverrun = [.. Dtls];
        lengthOverrun[12] = 9;
        byte[] ciphertext13 = [0x2C, 0x00, 0x01, 0x00, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9]; // unified header

        Assert.Equal(PacketKind.Invalid, PacketClassifier.Classify(wrongVersion));
        Assert.Equal(PacketKind.Invalid, PacketClassifier.Classify(lengthOverrun));
        Assert.Equal(PacketKind.Dtls, PacketClassifier.Classify(ciphertext13));
        Assert.True(PacketClassifier.MayLatch(PacketKind.Dtls, Dtls));
        Assert.False(PacketClassifier.MayLatch(PacketKind.Dtls, ciphertext13));
        Assert.True(PacketClassifier.MayLatch(PacketKind.Rtp, Rtp));
    }

    [Fact]
    public void Random_bytes_are_almost_never_taken_for_rtcp_or_dtls()
    {
        var random = new Random(7);
        int rtcp = 0, dtls = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var datagram = new byte[random.Next(1, 400)];
            random.NextBytes(datagram);
            var kind = PacketClassifier.Classify(datagram);
            rtcp += kind == PacketKind.Rtcp ? 1 : 0;
            dtls += kind == PacketKind.Dtls && PacketClassifier.MayLatch(kind, datagram) ? 1 : 0;
        }

        // Before the header checks, about 7 % of random datagrams were RTCP and 17 % DTLS able to latch.
        Assert.True(rtcp < 20, $"{rtcp} random datagrams in 100,000 passed as RTCP");
        Assert.True(dtls < 20, $"{dtls} random datagrams in 100,000 passed as DTLS that may latch");
    }
}
