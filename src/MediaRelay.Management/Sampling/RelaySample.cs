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

    /// <summary>Reads the figures now: one snapshot of the running calls (kernel counters at most a second old).</summary>
    public static RelaySample Take(ISessionApi sessions, EndedSessions ended, TimeProvider time)
    {
        var byType = new Dictionary<string, int>(StringComparer.Ordinal);
        var user = 0;
        var kernel = 0;
        // The ended figures first: a call that ends in between is then counted once or, for a moment, not at all
        // (never twice); the counters stay monotonic through TrafficRates' maximum.
        var traffic = ended.Traffic;
        var calls = sessions.Snapshot();
        var totals = sessions.Totals;
        foreach (var call in calls)
        {
            traffic += Traffic.Of(call);
            foreach (var stream in call.Streams)
            {
                if (stream.EndReason != EndReason.None)
                {
                    continue;
                }

                byType[stream.MediaType] = byType.GetValueOrDefault(stream.MediaType) + 1;
                if (stream.KernelDirections > 0)
                {
                    kernel++;
                }
                else
                {
                    user++;
                }
            }
        }

        return new RelaySample(time.GetUtcNow(), totals, byType, user, kernel, traffic);
    }
}
