using MediaRelay.Protocols.Rtcp;

namespace MediaRelay.Core.Quality;

/// <summary>
/// What one party's RTCP says about the media it receives from the other party (its SR/RR report blocks), and the
/// round-trip time between the relay and that party, measured from the other party's sender reports passing the
/// relay towards it and the party's reports naming them back (RFC 3550 section 6.4.1, LSR and DLSR).
/// Threading: written by the receive thread that carries the party's RTCP; <see cref="OnSenderReportRelayed"/> by
/// the other party's; readers see whole figures. Statistics only: a torn pair costs one RTT sample at worst.
/// </summary>
internal sealed class ReportedQuality
{
    private long _reports;
    private int _fractionLost256 = -1;
    private long _cumulativeLost;
    private long _jitterUnits;
    private long _rttMicroseconds = -1;
    private uint _srNtpMiddle;
    private long _srRelayedAt;

    /// <summary>Reports received from this party.</summary>
    public long Reports => Volatile.Read(ref _reports);

    /// <summary>The last fraction lost the party reported, in percent; null before any report.</summary>
    public double? FractionLostPercent => Volatile.Read(ref _fractionLost256) is var f and >= 0 ? f * 100.0 / 256 : null;

    public long CumulativeLost => Volatile.Read(ref _cumulativeLost);

    /// <summary>The last interarrival jitter the party reported, in RTP timestamp units of the other party's media.</summary>
    public long JitterUnits => Volatile.Read(ref _jitterUnits);

    /// <summary>The last round-trip time between the relay and this party, in microseconds; null before one could be measured.</summary>
    public long? RoundTripMicroseconds => Volatile.Read(ref _rttMicroseconds) is var rtt and >= 0 ? rtt : null;

    /// <summary>The other party's sender report was relayed to this party now: remember when, to time this party's answer.</summary>
    public void OnSenderReportRelayed(uint ntpMiddle, long now)
    {
        Volatile.Write(ref _srRelayedAt, now);
        Volatile.Write(ref _srNtpMiddle, ntpMiddle);
    }

    /// <summary>This party sent a report block; <paramref name="ticksPerSecond"/> is the frequency of <paramref name="now"/>.</summary>
    public void OnReport(in RtcpReportBlock block, long now, long ticksPerSecond)
    {
        Volatile.Write(ref _fractionLost256, block.FractionLost);
        Volatile.Write(ref _cumulativeLost, block.CumulativeLost);
        Volatile.Write(ref _jitterUnits, block.Jitter);
        Volatile.Write(ref _reports, _reports + 1);
        if (block.LastSenderReport != 0 && block.LastSenderReport == Volatile.Read(ref _srNtpMiddle))
        {
            // Time since the SR left the relay towards the party, less the time the party held it (DLSR, 1/65536 s).
            var elapsed = (now - Volatile.Read(ref _srRelayedAt)) * 1_000_000.0 / ticksPerSecond;
            var held = block.DelaySinceLastSenderReport * 1_000_000.0 / 65536;
            var rtt = elapsed - held;
            if (rtt >= 0)
            {
                Volatile.Write(ref _rttMicroseconds, (long)rtt);
            }
        }
    }
}
