using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;
using MediaRelay.Protocols.MediaProxy;

namespace MediaRelay.Control.MediaProxy;

/// <summary>A call's statistics in MediaProxy's shape (AG Projects' <c>Session.statistics</c>).</summary>
internal static class MediaProxyStatistics
{
    /// <summary>The version <c>summary</c> reports.</summary>
    public static string Version { get; } = typeof(MediaProxyStatistics).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static MediaProxySessionStatistics From(SessionStatistics call, MediaProxyCall? known, DateTimeOffset now)
    {
        var start = call.Created;
        var streams = new List<MediaProxyStreamStatistics>(call.Streams.Count);
        foreach (var stream in call.Streams)
        {
            int? started = stream.FirstMedia is { } first ? Seconds(first - start) : null;
            var ended = call.Ended ?? now;
            streams.Add(new MediaProxyStreamStatistics(
                stream.MediaType,
                stream.EndReason == EndReason.None ? (stream.Caller.Direction is MediaDirection.SendOnly or MediaDirection.Inactive ? "on hold" : "active") : stream.EndReason.ToText(),
                Seconds(stream.TimeoutWait),
                stream.Codec ?? "Unknown",
                stream.Codec ?? "Unknown",
                started,
                started is null ? null : Seconds(ended - start),
                stream.FirstMedia is { } media ? (media - start).TotalSeconds : null,
                stream.Caller.Rtp.TotalBytes + stream.Caller.Rtcp.TotalBytes,
                stream.Callee.Rtp.TotalBytes + stream.Callee.Rtcp.TotalBytes,
                stream.Caller.Rtp.TotalPackets + stream.Caller.Rtcp.TotalPackets,
                stream.Callee.Rtp.TotalPackets + stream.Callee.Rtcp.TotalPackets,
                stream.Caller.Rtp.Local,
                stream.Callee.Rtp.Local,
                stream.Caller.Rtp.LearnedRemote,
                stream.Callee.Rtp.LearnedRemote));
        }

        return new MediaProxySessionStatistics(
            call.CallId,
            call.CallerTag ?? string.Empty,
            known?.FromUri ?? "unknown",
            call.CalleeTag,
            known?.ToUri ?? "unknown",
            start,
            Seconds((call.Ended ?? now) - start),
            known?.CallerUserAgent ?? "Unknown",
            known?.CalleeUserAgent ?? "Unknown",
            streams,
            known?.DialogId);
    }

    private static int Seconds(TimeSpan span) => (int)Math.Max(0, span.TotalSeconds);
}
