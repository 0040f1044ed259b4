using MediaRelay.Protocols.Rtcp;
using MediaRelay.Protocols.Rtp;

namespace MediaRelay.Core.Quality;

/// <summary>
/// The call quality of what one party sends, as the relay sees it (its RTP: loss, jitter) and as the other party
/// reports it (RTCP), and the round-trip time to each party. Fed by that party's RTP and RTCP receive paths,
/// allocation-free; read at query, delete and session end.
/// </summary>
internal sealed class PartyQuality
{
    /// <summary>This party's RTP as it reaches the relay.</summary>
    public RtpReception Sent { get; } = new();

    /// <summary>What this party's RTCP reports about the media it receives (from the other party).</summary>
    public ReportedQuality Reports { get; } = new();

    /// <summary>The other party's quality (set by the stream that holds both).</summary>
    public PartyQuality? Other { get; set; }

    private int _lastPayloadType = -1;
    private int _lastClockRate = 8000;

    /// <summary>The clock rate of the payload this party sent last (8000 until it sent RTP).</summary>
    public int ClockRate => _lastClockRate;

    /// <summary>The party's a=rtpmap clock rates by payload type (set at signalling); null when its SDP had none.</summary>
    public IReadOnlyDictionary<int, int>? ClockRates { get; set; }

    /// <summary>The media type, for the clock rate of a dynamic payload type without a=rtpmap.</summary>
    public bool IsVideo { get; set; }

    public void OnRtp(ReadOnlySpan<byte> packet, long now, long ticksPerSecond)
    {
        if (RtpHeader.TryRead(packet, out var header))
        {
            if (header.PayloadType != _lastPayloadType)
            {
                // Looked up when the payload type changes only (DTMF events, codec switches), not per packet.
                _lastPayloadType = header.PayloadType;
                _lastClockRate = ClockRateOf(header.PayloadType);
            }

            Sent.OnRtp(header, now, ticksPerSecond, _lastClockRate);
        }
    }

    /// <summary>The a=rtpmap rate, else the static type's (RFC 3551), else 90 kHz for video and 8 kHz for audio.</summary>
    private int ClockRateOf(int payloadType)
    {
        if (ClockRates is { } rates && rates.TryGetValue(payloadType, out var rate))
        {
            return rate;
        }

        return payloadType switch
        {
            10 or 11 => 44100,
            14 or 25 or 26 or 28 or 31 or 32 or 33 or 34 => 90000,
            < 35 => 8000,
            _ => IsVideo ? 90000 : 8000,
        };
    }

    /// <summary>
    /// This party's RTCP passed the relay towards the other party: its sender report (timed for the other party's
    /// RTT) and its first report block (what it receives).
    /// </summary>
    public void OnRtcp(ReadOnlySpan<byte> packet, long now, long ticksPerSecond)
    {
        if (!RtcpReader.TryRead(packet, out var summary))
        {
            return;
        }

        if (summary.SenderReportNtpMiddle != 0)
        {
            Other?.Reports.OnSenderReportRelayed(summary.SenderReportNtpMiddle, now);
        }

        if (summary.HasReport)
        {
            Reports.OnReport(summary.Report, now, ticksPerSecond);
        }
    }
}
