namespace MediaRelay.Management.Api;

/// <summary>
/// <c>GET /api/summary</c>: MediaProxy's relay summary (ip, version, status, uptime, session_count, stream_count by
/// media type, bps_relayed) plus the port figures and the relay's counters.
/// </summary>
public sealed record SummaryView(
    string? Ip,
    string Version,
    string Status,
    long Uptime,
    int SessionCount,
    IReadOnlyDictionary<string, int> StreamCount,
    long BpsRelayed,
    double PacketsPerSecond,
    int PortsUsed,
    int PortsFree,
    int PortsTotal,
    long SessionsTotal,
    long SessionsEnded,
    long SessionsTimedOut,
    int UserspaceStreams,
    int KernelStreams,
    long PacketsTotal,
    long BytesTotal,
    long KernelPacketsTotal,
    long PacketErrorsTotal);

/// <summary>The <c>totals</c> server-sent event, once a second.</summary>
public sealed record TotalsView(
    DateTimeOffset Time,
    int SessionCount,
    int StreamCount,
    double PacketsPerSecond,
    long BpsRelayed,
    long PacketsTotal,
    long BytesTotal,
    int PortsUsed,
    int PortsFree);

/// <summary><c>GET /api/sessions</c>: one page of the running calls, oldest first.</summary>
public sealed record SessionPage(int Total, int Offset, int Limit, IReadOnlyList<SessionView> Sessions);

/// <summary>The answer to <c>DELETE /api/sessions/{callId}</c>: the call's final statistics.</summary>
public sealed record TerminatedView(string CallId, string Reason, SessionView Session);

/// <summary>An error: what is wrong and what to do.</summary>
public sealed record ErrorView(string Error);
