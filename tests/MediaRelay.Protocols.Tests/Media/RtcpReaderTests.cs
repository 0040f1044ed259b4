using MediaRelay.Protocols.Rtcp;

namespace MediaRelay.Protocols.Tests.Media;

/// <summary>Sender and receiver reports read out of real RTCP compound packets (RFC 3550 section 6.1).</summary>
public sealed class RtcpReaderTests
{
    // SR (SSRC 0x11223344, NTP 0x83AA7E80.0x40000000, RTP ts, 10 packets, 1600 bytes) with one report block about
    // 0xAABBCCDD (fraction 25, cumulative lost 3, highest seq 0x00010064, jitter 42, LSR 0x7E804000, DLSR 0x00008000),
    // then an SDES with a CNAME, as phones send them.
    private static readonly byte[] SrCompound =
    [
        0x81, 200, 0x00, 0x0C, 0x11, 0x22, 0x33, 0x44,
        0x83, 0xAA, 0x7E, 0x80, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x40, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x06, 0x40,
        0xAA, 0xBB, 0xCC, 0xDD, 25, 0x00, 0x00, 0x03, 0x00, 0x01, 0x00, 0x64, 0x00, 0x00, 0x00, 42,
        0x7E, 0x80, 0x40, 0x00, 0x00, 0x00, 0x80, 0x00,
        0x81, 202, 0x00, 0x03, 0x11, 0x22, 0x33, 0x44, 0x01, 0x05, (byte)'a', (byte)'l', (byte)'i', (byte)'c', (byte)'e', 0x00,
    ];

    // RR from 0xAABBCCDD with a negative cumulative loss (duplicates: -2), then SDES and BYE.
    private static readonly byte[] RrCompound =
    [
        0x81, 201, 0x00, 0x07, 0xAA, 0xBB, 0xCC, 0xDD,
        0x11, 0x22, 0x33, 0x44, 0x00, 0xFF, 0xFF, 0xFE, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x81, 202, 0x00, 0x02, 0xAA, 0xBB, 0xCC, 0xDD, 0x01, 0x01, (byte)'b', 0x00,
        0x81, 203, 0x00, 0x01, 0xAA, 0xBB, 0xCC, 0xDD,
    ];

    [Fact]
    public void A_sender_report_gives_its_ntp_middle_and_its_report_block()
    {
        Assert.True(RtcpReader.TryRead(SrCompound, out var summary));
        Assert.Equal(0x11223344u, summary.SenderSsrc);
        Assert.Equal(0x7E804000u, summary.SenderReportNtpMiddle);
        Assert.True(summary.HasReport);
        Assert.Equal(new RtcpReportBlock(0xAABBCCDD, 25, 3, 0x00010064, 42, 0x7E804000, 0x8000), summary.Report);
    }

    [Fact]
    public void A_receiver_report_has_no_ntp_time_and_a_signed_cumulative_loss()
    {
        Assert.True(RtcpReader.TryRead(RrCompound, out var summary));
        Assert.Equal(0u, summary.SenderReportNtpMiddle);
        Assert.Equal(-2, summary.Report.CumulativeLost);
        Assert.Equal(7u, summary.Report.Jitter);
    }

    [Fact]
    public void Every_truncation_and_random_bytes_read_false_or_consistently_and_never_throw()
    {
        for (var length = 0; length < SrCompound.Length; length++)
        {
            // Cut inside the SR: no summary; cut after it (inside the SDES): the SR is still read whole.
            var read = RtcpReader.TryRead(SrCompound.AsSpan(0, length), out var summary);
            Assert.Equal(length >= 52, read);
            Assert.True(!read || summary.Report.Jitter == 42);
        }

        var random = new Random(3550);
        var buffer = new byte[256];
        for (var i = 0; i < 50_000; i++)
        {
            random.NextBytes(buffer);
            buffer[0] = (byte)(0x80 | (buffer[0] & 0x1F));
            _ = RtcpReader.TryRead(buffer.AsSpan(0, random.Next(buffer.Length)), out _);
        }
    }

    // Fuzzing finding (relay target): a report whose length field is 0 (one word, the header alone) inside a
    // datagram long enough for the classifier (8 bytes) left no room for the sender's SSRC, and reading it threw
    // ArgumentOutOfRangeException on the packet path.
    [Theory]
    [InlineData(new byte[] { 0x81, 201, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01 })]
    [InlineData(new byte[] { 0x80, 200, 0x00, 0x00, 0xDE, 0xAD, 0xBE, 0xEF })]
    [InlineData(new byte[] { 0x80, 202, 0x00, 0x00, 0x81, 201, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 })]
    public void Fuzz_a_report_too_short_for_its_sender_ssrc_reads_false(byte[] packet)
    {
        Assert.False(RtcpReader.TryRead(packet, out _));
    }
}
