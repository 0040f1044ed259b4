namespace MediaRelay.Protocols.Rtcp;

/// <summary>
/// One reception report block of an RTCP SR or RR (RFC 3550 section 6.4.1): what the reporter received from
/// <see cref="Ssrc"/>. Jitter is in RTP timestamp units; LSR and DLSR as on the wire (NTP middle 32 bits, 1/65536 s).
/// </summary>
public readonly record struct RtcpReportBlock(uint Ssrc, byte FractionLost, int CumulativeLost, uint HighestSequence, uint Jitter,
    uint LastSenderReport, uint DelaySinceLastSenderReport);

/// <summary>What an RTCP compound packet told: the sender report's NTP middle 32 bits (0 when no SR), and its first report block.</summary>
public readonly record struct RtcpSummary(uint SenderSsrc, uint SenderReportNtpMiddle, bool HasReport, RtcpReportBlock Report);
