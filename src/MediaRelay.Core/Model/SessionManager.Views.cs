using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Core.Forwarding;
using MediaRelay.Core.Statistics;

namespace MediaRelay.Core.Model;

/// <summary>
/// The session manager's read side: one call's statistics (its kernel counters read fresh), every call's, the running
/// calls added up, the relay's totals and its interfaces. Each read takes the control lock for as long as it copies.
/// </summary>
public sealed partial class SessionManager
{
    /// <inheritdoc />
    public SessionStatistics? Query(string callId)
    {
        KernelFlow[] flows;
        lock (_gate)
        {
            if (!_sessions.TryGetValue(callId, out var session))
            {
                return null;
            }

            flows = session.UsedKernel ? session.KernelFlows() : [];
        }

        // The kernel's counters of this call, read now and outside the control lock (not up to a second old).
        _kernel.ReadNow(flows, TimeSpan.FromSeconds(1));
        lock (_gate)
        {
            return _sessions.TryGetValue(callId, out var session)
                ? session.Snapshot(null, EndReason.None, TimeSpan.Zero)
                : null;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ListCallIds()
    {
        lock (_gate)
        {
            return OldestFirst().ConvertAll(s => s.CallId);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<SessionStatistics> Snapshot()
    {
        lock (_gate)
        {
            return OldestFirst().ConvertAll(s => s.Snapshot(null, EndReason.None, TimeSpan.Zero));
        }
    }

    /// <inheritdoc />
    public LiveTally Tally()
    {
        var tally = new LiveTally();
        lock (_gate)
        {
            foreach (var session in _sessions.Values)
            {
                foreach (var stream in session.Streams)
                {
                    stream?.AddTo(tally);
                }
            }
        }

        return tally;
    }

    private List<Session> OldestFirst()
    {
        var sessions = new List<Session>(_sessions.Values);
        sessions.Sort((a, b) => a.Created.CompareTo(b.Created));
        return sessions;
    }

    /// <inheritdoc />
    public RelayTotals Totals
    {
        get
        {
            lock (_gate)
            {
                return new RelayTotals(_sessions.Count, _created, _ended, _timedOut, _pools.PairsInUse * 2, _pools.TotalPairs * 2);
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> InterfaceNames => _pools.Names;

    /// <inheritdoc />
    public string? InterfaceOf(IPAddress address) => _pools.InterfaceOf(address);
}
