namespace MediaRelay.Protocols.MediaProxy;

/// <summary>
/// A session's statistics, the input of <see cref="MediaProxyJson"/>: AG Projects' <c>Session.statistics</c>, which
/// the relay sends as the reply to <c>remove</c>, after <c>expired </c> when a session times out, and as the
/// entries of <c>sessions</c>; the dispatcher adds <c>dialog_id</c>, <c>timed_out</c> and, on expiry,
/// <c>all_streams_ice</c> before accounting. Threading: immutable.
/// </summary>
/// <param name="CallId">The SIP Call-ID.</param>
/// <param name="FromTag">The From tag.</param>
/// <param name="FromUri">The From URI as the module sent it.</param>
/// <param name="ToTag">The To tag once answered, else null.</param>
/// <param name="ToUri">The To URI as the module sent it.</param>
/// <param name="StartTime">When the first SDP answer arrived (AG: a float of Unix seconds); null before.</param>
/// <param name="Duration">Whole seconds since <paramref name="StartTime"/> (to the end, once ended); 0 before.</param>
/// <param name="CallerUa">The caller's user agent (AG writes <c>Unknown</c> when it has none).</param>
/// <param name="CalleeUa">The callee's user agent.</param>
/// <param name="Streams">Every stream that started, by start time.</param>
/// <param name="DialogId">Written as <c>dialog_id</c> when not null (the dispatcher's addition).</param>
/// <param name="TimedOut">Written as <c>timed_out</c> when not null (the dispatcher's addition).</param>
/// <param name="AllStreamsIce">Written as <c>all_streams_ice</c> when not null (the dispatcher's addition on expiry).</param>
public sealed record MediaProxySessionStatistics(
    string CallId,
    string FromTag,
    string FromUri,
    string? ToTag,
    string ToUri,
    DateTimeOffset? StartTime,
    int Duration,
    string CallerUa,
    string CalleeUa,
    IReadOnlyList<MediaProxyStreamStatistics> Streams,
    MediaProxyDialogId? DialogId = null,
    bool? TimedOut = null,
    bool? AllStreamsIce = null);
