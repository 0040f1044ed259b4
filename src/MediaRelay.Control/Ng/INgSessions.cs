using MediaRelay.Core.Api;
using MediaRelay.Core.Model;
using MediaRelay.Core.Statistics;

namespace MediaRelay.Control.Ng;

/// <summary>
/// The part of <see cref="SessionManager"/> the query, delete, list and statistics commands use; a seam so those
/// commands can be tested with a fake. Offer and answer use the SessionManager directly.
/// </summary>
internal interface INgSessions
{
    SessionStatistics? Query(string callId);

    SessionStatistics? Remove(string callId, EndReason reason);

    IReadOnlyList<string> ListCallIds();

    RelayTotals Totals { get; }
}

/// <summary>Forwards to the real session manager.</summary>
internal sealed class SessionManagerSessions(SessionManager sessions) : INgSessions
{
    public SessionStatistics? Query(string callId) => sessions.Query(callId);

    public SessionStatistics? Remove(string callId, EndReason reason) => sessions.Remove(callId, reason);

    public IReadOnlyList<string> ListCallIds() => sessions.ListCallIds();

    public RelayTotals Totals => sessions.Totals;
}
