using System.Diagnostics;
using MediaRelay.Protocols.Rtp;

namespace MediaRelay.Transport.Tests;

/// <summary>
/// Issue 13: loss and jitter as the relay measures them from the RTP it receives over real loopback UDP, against the
/// truth the sender knows: every 20th packet is dropped and every 4th is sent late.
/// </summary>
public sealed class QualityLoopbackTests
{
    private const int Packets = 400;
    private const int IntervalMs = 10;
    private const int LateMs = 12;

    [Fact]
    public void Loss_within_half_a_percent_and_jitter_within_ten_percent_of_the_truth()
    {
        // The truth is taken at the sender; the relay measures at its receive. On a machine busy with other tests the
        // relay's loop may wake late and see jitter the truth does not know (it only ever adds): up to three calls,
        // and one must be within the bounds. A wrong estimator misses in all three.
        var attempts = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var (lossOk, jitterOk, line) = MeasureOnce("quality-" + attempt);
            attempts.Add(line);
            Assert.True(lossOk, line);
            if (jitterOk)
            {
                return;
            }
        }

        Assert.Fail("jitter outside 10 % of the truth in every attempt:\n" + string.Join("\n", attempts));
    }

    private static (bool LossOk, bool JitterOk, string Line) MeasureOnce(string callId)
    {
        using var relay = new LoopbackRelay(TransportKind.IoUring);
        var (facingCaller, _) = relay.Call(callId);
        using var caller = new Phone();

        var clock = Stopwatch.StartNew();
        var sentAt = new List<(double Ms, uint Timestamp)>();
        var packet = new byte[172];
        for (var i = 0; i < Packets; i++)
        {
            // Paced by spinning, not sleeping: the sleep of a busy machine would add jitter the truth does not know.
            var due = (i * IntervalMs) + (i % 4 == 3 ? LateMs : 0);
            while (clock.Elapsed.TotalMilliseconds < due)
            {
                Thread.SpinWait(50);
            }

            var timestamp = (uint)(i * IntervalMs * 8);
            if (i % 20 == 19)
            {
                continue;
            }

            RtpHeader.TryWrite(packet, 0, false, (ushort)i, timestamp, 0x5150);
            sentAt.Add((clock.Elapsed.TotalMilliseconds, timestamp));
            caller.Send(packet, facingCaller.RtpPort);
        }

        Thread.Sleep(200);
        var quality = relay.Manager.Query(callId)!.Streams[0].Caller.Quality;

        // The truth: RFC 3550 A.8 over the times the packets left the phone.
        double jitter = 0;
        for (var i = 1; i < sentAt.Count; i++)
        {
            var d = (sentAt[i].Ms - sentAt[i - 1].Ms) - ((sentAt[i].Timestamp - sentAt[i - 1].Timestamp) / 8.0);
            jitter += (Math.Abs(d) - jitter) / 16;
        }

        var expected = Packets - 1; // the last packet is dropped, so never known
        var lossTruth = 100.0 * (expected - sentAt.Count) / expected;
        var lossOk = quality.PacketsExpected == expected && Math.Abs(quality.LossPercent - lossTruth) <= 0.5;
        var jitterOk = quality.JitterMilliseconds >= jitter * 0.9 && quality.JitterMilliseconds <= jitter * 1.1;
        var line = FormattableString.Invariant(
            $"{callId}: expected {quality.PacketsExpected} (truth {expected}), loss {quality.LossPercent:F3} % (truth {lossTruth:F3}), jitter {quality.JitterMilliseconds:F3} ms (truth {jitter:F3})");
        return (lossOk, jitterOk, line);
    }
}
