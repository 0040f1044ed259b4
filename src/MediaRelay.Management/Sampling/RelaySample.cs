using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;

namespace MediaRelay.Management.Sampling;

/// <summary>
/// The relay's figures at one moment, read from the session API (the running calls' counters plus the ended ones'):
/// what the summary, the metrics and the totals event report.
/// </summary>
public sealed record RelaySample(
    DateTimeOffset Time,
    RelayTotals Totals,
    IReadOnlyDictionary<string, int> StreamsByType,
    int UserSpaceStreams,
    int KernelStreams,
    Traffic Traffic)
{
    public int Streams => UserSpaceStreams + KernelStreams;

    public int PortsFree => Math.Max(0, Totals.PortsTotal - Totals.PortsInUse);

    /// <summary>Reads the figures now: the running calls added up in place (kernel counters at most a second old).</summary>
    public static RelaySample Take(ISessionApi sessions, EndedSessions ended, TimeProvider time)
    {
        // The ended figures first: a call that ends in between is then counted once or, for a moment, not at all
        // (never twice); the counters stay monotonic through TrafficRates' maximum.
        var traffic = ended.Traffic;
        var live = sessions.Tally();
        var totals = sessions.Totals;
        traffic += new Traffic(live.UserPackets, live.UserBytes, live.KernelPackets, live.KernelBytes, live.Errors);
        return new RelaySample(time.GetUtcNow(), totals, live.StreamsByType, live.UserSpaceStreams, live.KernelStreams, traffic);
    }
}
