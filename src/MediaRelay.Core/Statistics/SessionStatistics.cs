using System.Net;
using MediaRelay.Core.Api;

namespace MediaRelay.Core.Statistics;

/// <summary>
/// What one side of one flow saw: the relay port that faces the party, the remote learned from its packets,
/// and the packets that arrived from it. Packets and bytes count media relayed (RTP, RTCP, DTLS), never STUN;
/// Errors counts packets dropped (malformed, or from an unexpected source). All counters are 64-bit.
/// </summary>
public sealed record SubPartyStatistics(
    IPEndPoint Local,
    IPEndPoint? LearnedRemote,
    IPEndPoint? SdpRemote,
    long Packets,
    long Bytes,
    long Errors,
    long StunPackets,
    long KernelPackets,
    long KernelBytes)
{
    public long TotalPackets => Packets + KernelPackets;
    public long TotalBytes => Bytes + KernelBytes;
}

/// <summary>One party of one stream: its tag and the RTP and RTCP sides that face it.</summary>
public sealed record PartyStatistics(
    PartyRole Role,
    string? Tag,
    MediaDirection Direction,
    SubPartyStatistics Rtp,
    SubPartyStatistics Rtcp)
{
    /// <summary>The relay interface whose ports face this party.</summary>
    public string Interface { get; init; } = RelayInterface.DefaultName;

    /// <summary>The address the SDP gave this party for the relay (the interface's advertised address).</summary>
    public IPAddress? Advertised { get; init; }

    /// <summary>Call quality of this party's side: what it sends, what it reports, and the MOS of what it hears.</summary>
    public QualityStatistics Quality { get; init; } = QualityStatistics.None;
}

/// <summary>
/// The call quality of one party. From the RTP it sends, as the relay receives it (RFC 3550 A.3, A.8): packets
/// expected and lost, loss and interarrival jitter. From its RTCP (what it receives, as it reports): fraction lost,
/// cumulative lost and jitter; the round-trip time between the relay and it. And a MOS estimate (E-model, G.107
/// simplified) of what it hears: the other party's upstream loss and jitter or its own reports, whichever is worse,
/// over the round trips of both legs. Figures of packets the kernel forwarded are not seen (user space only).
/// </summary>
public sealed record QualityStatistics(
    uint Ssrc,
    long PacketsExpected,
    long PacketsLost,
    double LossPercent,
    double JitterMilliseconds,
    double? ReportedLossPercent,
    long ReportedCumulativeLost,
    double? ReportedJitterMilliseconds,
    double? RoundTripMilliseconds,
    double? Mos)
{
    public static QualityStatistics None { get; } = new(0, 0, 0, 0, 0, null, 0, null, null, null);
}

/// <summary>One stream (one m-line). FirstMedia is the time the first non-STUN packet arrived from either side.</summary>
public sealed record StreamStatistics(
    int Index,
    string MediaType,
    string? Codec,
    DateTimeOffset? FirstMedia,
    EndReason EndReason,
    TimeSpan TimeoutWait,
    PartyStatistics Caller,
    PartyStatistics Callee)
{
    /// <summary>The transport protocol of the caller's m-line (else the callee's), e.g. "RTP/AVP".</summary>
    public string Protocol { get; init; } = "RTP/AVP";

    /// <summary>Either party's SDP puts the stream on hold (sendonly, inactive, or a 0.0.0.0 / :: address).</summary>
    public bool OnHold { get; init; }

    /// <summary>Directions (RTP and RTCP, each way: 0-4) the kernel forwards now; 0 is the user-space path only.</summary>
    public int KernelDirections { get; init; }
}

/// <summary>A whole session, as query, delete and the session-ended event report it.</summary>
public sealed record SessionStatistics(
    string CallId,
    string? CallerTag,
    string? CalleeTag,
    DateTimeOffset Created,
    DateTimeOffset? Ended,
    EndReason EndReason,
    TimeSpan TimeoutWait,
    IReadOnlyList<StreamStatistics> Streams)
{
    /// <summary>When the last offer or answer for the session arrived; null when unknown.</summary>
    public DateTimeOffset? LastSignal { get; init; }

    /// <summary>The SIP From URI of the call, when the protocol that set it up gave one (<see cref="ISessionApi.SetParties"/>); else null.</summary>
    public string? FromUri { get; init; }

    /// <summary>The SIP To URI of the call, when the protocol that set it up gave one; else null.</summary>
    public string? ToUri { get; init; }

    public TimeSpan Duration(DateTimeOffset now) => (Ended ?? now) - Created;

    public long TotalPackets => Sum(static side => side.TotalPackets);

    public long TotalBytes => Sum(static side => side.TotalBytes);

    public long TotalErrors => Sum(static side => side.Errors);

    /// <summary>Packets the kernel forwarded (part of <see cref="TotalPackets"/>).</summary>
    public long KernelPackets => Sum(static side => side.KernelPackets);

    /// <summary>A figure summed over both parties' RTP and RTCP sides of every stream.</summary>
    private long Sum(Func<SubPartyStatistics, long> figure)
    {
        long sum = 0;
        foreach (var s in Streams)
        {
            sum += figure(s.Caller.Rtp) + figure(s.Caller.Rtcp) + figure(s.Callee.Rtp) + figure(s.Callee.Rtcp);
        }

        return sum;
    }
}

/// <summary>Relay-wide figures for the statistics command and metrics.</summary>
public sealed record RelayTotals(
    int CurrentSessions,
    long SessionsCreated,
    long SessionsEnded,
    long SessionsTimedOut,
    int PortsInUse,
    int PortsTotal);
