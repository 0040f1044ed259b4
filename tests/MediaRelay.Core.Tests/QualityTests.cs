using System.Buffers.Binary;
using MediaRelay.Core.Api;
using MediaRelay.Protocols.Rtp;
using static MediaRelay.Core.Tests.Packets;

namespace MediaRelay.Core.Tests;

/// <summary>Call quality per party on a fake clock: loss and jitter from RTP itself, reports and round-trip time from RTCP, MOS.</summary>
public sealed class QualityTests
{
    private static byte[] Rtp(ushort sequence, uint timestamp, uint ssrc = 0x1111)
    {
        var packet = new byte[172];
        RtpHeader.TryWrite(packet, 0, false, sequence, timestamp, ssrc);
        return packet;
    }

    [Fact]
    public void Loss_and_jitter_of_what_the_caller_sends_match_rfc_3550()
    {
        using var relay = new RelayHarness().Call();
        var port = relay.FacingCaller.RtpPort;
        var caller = RelayHarness.CallerSdp;

        // 200 packets of 20 ms (160 timestamp units at 8 kHz); every 20th is lost; every 4th arrives 8 ms late.
        var now = 0;
        for (ushort i = 0; i < 200; i++)
        {
            var arrival = (20 * i) + (i % 4 == 3 ? 8 : 0);
            relay.Clock.Advance(TimeSpan.FromMilliseconds(arrival - now));
            now = arrival;
            if (i % 20 != 19)
            {
                relay.Transport.Deliver(port, Rtp(i, i * 160u), caller);
            }
        }

        var quality = relay.Manager.Query(RelayHarness.CallId)!.Streams[0].Caller.Quality;
        Assert.Equal(0x1111u, quality.Ssrc);
        Assert.Equal(200 - 1, quality.PacketsExpected); // the last one, lost, is never known to be expected
        Assert.Equal(9, quality.PacketsLost);
        Assert.Equal(100.0 * 9 / 199, quality.LossPercent, 3);
        // The RFC 3550 estimator over |D| of 8, 8 ms every 4 packets (and 0 otherwise) settles near 3.4 ms.
        Assert.InRange(quality.JitterMilliseconds, 3.0, 4.5);
    }

    [Fact]
    public void A_new_ssrc_starts_a_new_count_and_a_wrapping_sequence_loses_nothing()
    {
        using var relay = new RelayHarness().Call();
        var port = relay.FacingCaller.RtpPort;
        for (var i = 0; i < 10; i++)
        {
            relay.Clock.Advance(TimeSpan.FromMilliseconds(20));
            relay.Transport.Deliver(port, Rtp((ushort)(65530 + i), (uint)(i * 160), 0xAAAA), RelayHarness.CallerSdp);
        }

        for (var i = 0; i < 10; i++)
        {
            relay.Clock.Advance(TimeSpan.FromMilliseconds(20));
            relay.Transport.Deliver(port, Rtp((ushort)(1000 + i), (uint)(i * 160), 0xBBBB), RelayHarness.CallerSdp);
        }

        var quality = relay.Manager.Query(RelayHarness.CallId)!.Streams[0].Caller.Quality;
        Assert.Equal(0xBBBBu, quality.Ssrc);
        Assert.Equal(20, quality.PacketsExpected);
        Assert.Equal(0, quality.PacketsLost);
        Assert.Equal(0, quality.JitterMilliseconds, 3);
    }

    [Fact]
    public void Rtcp_reports_give_the_reported_loss_and_the_round_trip_time_to_each_party()
    {
        using var relay = new RelayHarness().Call();
        relay.Transport.Deliver(relay.FacingCaller.RtpPort, Rtp(1, 160), RelayHarness.CallerSdp);
        relay.Transport.Deliver(relay.FacingCallee.RtpPort, Rtp(1, 160, 0x2222), RelayHarness.CalleeSdp);

        // The caller's SR passes the relay towards the callee; 30 ms later the callee's RR names it, having held it 10 ms.
        relay.Transport.Deliver(relay.FacingCaller.RtcpPort, SenderReport(0x1111, ntpMiddle: 0x12345678), Ep("10.0.0.1", 5001));
        relay.Clock.Advance(TimeSpan.FromMilliseconds(30));
        relay.Transport.Deliver(relay.FacingCallee.RtcpPort,
            ReceiverReport(0x2222, about: 0x1111, fractionLost: 64, cumulativeLost: 12, jitter: 80, lsr: 0x12345678, dlsr: 655), Ep("10.0.0.2", 6001));

        var callee = relay.Manager.Query(RelayHarness.CallId)!.Streams[0].Callee.Quality;
        Assert.Equal(25.0, callee.ReportedLossPercent); // 64/256
        Assert.Equal(12, callee.ReportedCumulativeLost);
        Assert.Equal(10.0, callee.ReportedJitterMilliseconds!.Value, 3); // 80 units at 8 kHz
        Assert.Equal(20.0, callee.RoundTripMilliseconds!.Value, 0); // 30 ms less 655/65536 s
        Assert.True(callee.Mos < 3.0, $"25 % reported loss should sound poor, MOS {callee.Mos}");
    }

    [Theory]
    [InlineData("PCMU", 0, 0, null, 4.3, 4.5)]
    [InlineData("PCMU", 5, 10, 40.0, 3.4, 4.0)]
    [InlineData("G729", 0, 0, null, 3.9, 4.15)]
    [InlineData("PCMA", 20, 30, 400.0, 1.0, 2.7)]
    public void The_e_model_gives_the_usual_mos_ranges(string codec, double loss, double jitter, double? rtt, double low, double high)
    {
        Assert.InRange(Quality.EModel.Mos(codec, loss, jitter, rtt), low, high);
    }

    private static byte[] SenderReport(uint ssrc, uint ntpMiddle)
    {
        var packet = new byte[28];
        packet[0] = 0x80;
        packet[1] = 200;
        packet[3] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(10), ntpMiddle);
        return packet;
    }

    private static byte[] ReceiverReport(uint ssrc, uint about, byte fractionLost, int cumulativeLost, uint jitter, uint lsr, uint dlsr)
    {
        var packet = new byte[32];
        packet[0] = 0x81;
        packet[1] = 201;
        packet[3] = 7;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), about);
        packet[12] = fractionLost;
        packet[13] = (byte)(cumulativeLost >> 16);
        packet[14] = (byte)(cumulativeLost >> 8);
        packet[15] = (byte)cumulativeLost;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(20), jitter);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(24), lsr);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(28), dlsr);
        return packet;
    }
}
