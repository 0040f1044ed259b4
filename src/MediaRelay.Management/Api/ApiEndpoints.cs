using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;
using MediaRelay.Management.Sampling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace MediaRelay.Management.Api;

/// <summary>
/// The JSON routes: <c>GET /api/summary</c>, <c>GET /api/sessions?offset=&amp;limit=&amp;filter=</c>,
/// <c>GET /api/sessions/{callId}</c> and <c>DELETE /api/sessions/{callId}</c> (ends the call now with reason
/// "terminated", which frees its ports). All of them through the session API, like every control protocol.
/// </summary>
public static class ApiEndpoints
{
    public const int DefaultLimit = 100;

    public const int MaxLimit = 1000;

    public static void Map(IEndpointRouteBuilder routes, ISessionApi sessions, TrafficRates rates, RelayStatus status,
        ManagementOptions options, TimeProvider time)
    {
        routes.MapGet("/api/summary", () => TypedResults.Json(Summary(rates, status, options), ManagementJson.Options));

        routes.MapGet("/api/sessions", (int? offset, int? limit, string? filter) =>
        {
            var from = Math.Max(0, offset ?? 0);
            var count = Math.Clamp(limit ?? DefaultLimit, 1, MaxLimit);
            var calls = Filter(sessions.Snapshot(), filter);
            var now = time.GetUtcNow();
            var page = new List<SessionView>(Math.Max(0, Math.Min(count, calls.Count - from)));
            for (var i = from; i < calls.Count && page.Count < count; i++)
            {
                page.Add(SessionViews.From(calls[i], now));
            }

            return TypedResults.Json(new SessionPage(calls.Count, from, count, page), ManagementJson.Options);
        });

        routes.MapGet("/api/sessions/{callId}", IResult (string callId) =>
            sessions.Query(callId) is { } call
                ? TypedResults.Json(SessionViews.From(call, time.GetUtcNow()), ManagementJson.Options)
                : NotFound(callId));

        routes.MapDelete("/api/sessions/{callId}", IResult (string callId) =>
            sessions.Remove(callId, EndReason.Terminated) is { } call
                ? TypedResults.Json(new TerminatedView(call.CallId, call.EndReason.ToText(), SessionViews.From(call, time.GetUtcNow())), ManagementJson.Options)
                : NotFound(callId));
    }

    public static SummaryView Summary(TrafficRates rates, RelayStatus status, ManagementOptions options)
    {
        var sample = rates.Now();
        var totals = sample.Totals;
        return new SummaryView(
            options.RelayAddress?.ToString(),
            options.Version,
            status.Text,
            (long)status.Uptime.TotalSeconds,
            totals.CurrentSessions,
            sample.StreamsByType,
            (long)rates.BitsPerSecond,
            Math.Round(rates.PacketsPerSecond, 1),
            totals.PortsInUse,
            sample.PortsFree,
            totals.PortsTotal,
            totals.SessionsCreated,
            totals.SessionsEnded,
            totals.SessionsTimedOut,
            sample.UserSpaceStreams,
            sample.KernelStreams,
            sample.Traffic.Packets,
            sample.Traffic.Bytes,
            sample.Traffic.KernelPackets,
            sample.Traffic.Errors);
    }

    /// <summary>The calls whose call-id, a tag or an address (relay, learned or SDP) contains <paramref name="filter"/>.</summary>
    private static IReadOnlyList<SessionStatistics> Filter(IReadOnlyList<SessionStatistics> calls, string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return calls;
        }

        var text = filter.Trim();
        var kept = new List<SessionStatistics>();
        foreach (var call in calls)
        {
            if (Matches(call, text))
            {
                kept.Add(call);
            }
        }

        return kept;
    }

    private static bool Matches(SessionStatistics call, string text)
    {
        if (Contains(call.CallId, text) || Contains(call.CallerTag, text) || Contains(call.CalleeTag, text))
        {
            return true;
        }

        foreach (var stream in call.Streams)
        {
            foreach (var side in (ReadOnlySpan<SubPartyStatistics>)[stream.Caller.Rtp, stream.Callee.Rtp])
            {
                if (Contains(side.Local.ToString(), text) || Contains(side.LearnedRemote?.ToString(), text) || Contains(side.SdpRemote?.ToString(), text))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool Contains(string? value, string text) => value is not null && value.Contains(text, StringComparison.OrdinalIgnoreCase);

    private static JsonHttpResult<ErrorView> NotFound(string callId) =>
        TypedResults.Json(new ErrorView($"no call with call-id '{callId}' runs on this relay"), ManagementJson.Options, statusCode: StatusCodes.Status404NotFound);
}
