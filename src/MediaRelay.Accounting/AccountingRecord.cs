using System.Net;
using System.Text;
using System.Text.Json.Serialization;
using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;

namespace MediaRelay.Accounting;

/// <summary>
/// One ended session as the accounting tables hold it (a row of <c>media_sessions</c> and one row of
/// <c>media_streams</c> per stream and direction), and as the spool keeps it, one JSON line each.
/// <see cref="RecordId"/> makes writing it twice harmless (a spool replayed after a crash).
/// </summary>
public sealed record AccountingRecord
{
    public required string RecordId { get; init; }

    /// <summary>The relay host that wrote it (a shared PostgreSQL store holds several).</summary>
    public required string Node { get; init; }

    public required string CallId { get; init; }

    public string? FromTag { get; init; }

    public string? ToTag { get; init; }

    public string? FromUri { get; init; }

    public string? ToUri { get; init; }

    public required DateTimeOffset StartTime { get; init; }

    public required DateTimeOffset EndTime { get; init; }

    /// <summary>Seconds from the first offer to the end.</summary>
    public double Duration { get; init; }

    /// <summary>"closed", "no-traffic timeout", "on hold timeout", "terminated", "shutdown", ... (MediaProxy's words).</summary>
    public required string EndReason { get; init; }

    /// <summary>Seconds of silence the timeout waited, 0 when the call did not time out.</summary>
    public double TimeoutWait { get; init; }

    public int Streams { get; init; }

    /// <summary>Packets relayed, both directions of every stream, RTP and RTCP, user space and kernel.</summary>
    public long Packets { get; init; }

    public long Bytes { get; init; }

    public long Errors { get; init; }

    /// <summary>The part of <see cref="Packets"/> the kernel forwarded.</summary>
    public long KernelPackets { get; init; }

    private string? _info;
    private Utf8Json? _infoUtf8;

    /// <summary>The whole final statistics as JSON (MediaProxy's <c>info</c> column).</summary>
    public string Info
    {
        get => _info ??= _infoUtf8?.ToString() ?? "{}";
        init
        {
            _info = value;
            _infoUtf8 = null;
        }
    }

    /// <summary>The same JSON as UTF-8, as the serializer wrote it (what the SQLite store binds).</summary>
    [JsonIgnore]
    internal Utf8Json InfoUtf8
    {
        get => _infoUtf8 ??= new Utf8Json(Encoding.UTF8.GetBytes(_info ?? "{}"));
        init => _infoUtf8 = value;
    }

    public IReadOnlyList<DirectionRecord> Directions { get; init; } = [];

    /// <summary>The record of a session's final statistics, with a new id (time-ordered, from its end).</summary>
    public static AccountingRecord From(SessionStatistics call, string node, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(call);
        return From(call, node, now, NewId(call, now));
    }

    /// <summary>A new record id for the call: a version 7 GUID of its end time, so that ids sort as the calls ended.</summary>
    public static Guid NewId(SessionStatistics call, DateTimeOffset now) => Guid.CreateVersion7(call.Ended ?? now);

    /// <summary>The record of a session's final statistics, with the id given when the call ended.</summary>
    public static AccountingRecord From(SessionStatistics call, string node, DateTimeOffset now, Guid recordId)
    {
        ArgumentNullException.ThrowIfNull(call);
        var end = call.Ended ?? now;
        var directions = new List<DirectionRecord>(call.Streams.Count * 2);
        foreach (var stream in call.Streams)
        {
            directions.Add(DirectionRecord.From(stream, stream.Caller, stream.Callee, DirectionRecord.CallerToCallee));
            directions.Add(DirectionRecord.From(stream, stream.Callee, stream.Caller, DirectionRecord.CalleeToCaller));
        }

        return new AccountingRecord
        {
            RecordId = recordId.ToString("N"),
            Node = node,
            CallId = call.CallId,
            FromTag = call.CallerTag,
            ToTag = call.CalleeTag,
            FromUri = call.FromUri,
            ToUri = call.ToUri,
            StartTime = call.Created,
            EndTime = end,
            Duration = Math.Max(0, (end - call.Created).TotalSeconds),
            EndReason = call.EndReason.ToText(),
            TimeoutWait = call.TimeoutWait.TotalSeconds,
            Streams = call.Streams.Count,
            Packets = call.TotalPackets,
            Bytes = call.TotalBytes,
            Errors = call.TotalErrors,
            KernelPackets = call.KernelPackets,
            InfoUtf8 = new Utf8Json(StatisticsJson.SerializeToUtf8(call)),
            Directions = directions,
        };
    }
}

/// <summary>
/// One direction of one stream: what the source party sent and the relay forwarded to the other. Addresses: the
/// source as learned from its packets (else as its SDP gave it), the relay port it sent to, the relay port that sent
/// on, and the destination it went to. Packets and bytes are counted as they arrived at the relay, split into user
/// space and kernel. Quality: loss and jitter of the source's RTP as it reached the relay, MOS of what the
/// destination heard.
/// </summary>
public sealed record DirectionRecord
{
    public const string CallerToCallee = "caller->callee";

    public const string CalleeToCaller = "callee->caller";

    public required int StreamIndex { get; init; }

    /// <summary><see cref="CallerToCallee"/> or <see cref="CalleeToCaller"/>.</summary>
    public required string Direction { get; init; }

    public required string MediaType { get; init; }

    public string? Codec { get; init; }

    public string? Protocol { get; init; }

    public string? SourceTag { get; init; }

    /// <summary>The source's RTP address as learned (latched) from its packets; null when it never sent.</summary>
    public string? SourceLearned { get; init; }

    /// <summary>The source's RTP address as its SDP gave it.</summary>
    public string? SourceSdp { get; init; }

    /// <summary>The relay's RTP address:port the source sends to.</summary>
    public string? RelayIn { get; init; }

    /// <summary>The relay's RTP address:port that sends to the destination.</summary>
    public string? RelayOut { get; init; }

    /// <summary>Where the media went: the destination's learned RTP address, else its SDP address.</summary>
    public string? Destination { get; init; }

    /// <summary>The relay interface facing the source.</summary>
    public string? InterfaceIn { get; init; }

    /// <summary>The relay interface facing the destination.</summary>
    public string? InterfaceOut { get; init; }

    public long RtpPackets { get; init; }

    public long RtpBytes { get; init; }

    public long RtpUserPackets { get; init; }

    public long RtpUserBytes { get; init; }

    public long RtpKernelPackets { get; init; }

    public long RtpKernelBytes { get; init; }

    public long RtpErrors { get; init; }

    public long RtcpPackets { get; init; }

    public long RtcpBytes { get; init; }

    public long RtcpUserPackets { get; init; }

    public long RtcpUserBytes { get; init; }

    public long RtcpKernelPackets { get; init; }

    public long RtcpKernelBytes { get; init; }

    public long RtcpErrors { get; init; }

    /// <summary>The source's RTP SSRC (0 when unknown).</summary>
    public long Ssrc { get; init; }

    public long PacketsLost { get; init; }

    public double LossPercent { get; init; }

    public double JitterMs { get; init; }

    /// <summary>MOS estimate of what the destination heard; null when there was nothing to rate.</summary>
    public double? Mos { get; init; }

    internal static DirectionRecord From(StreamStatistics stream, PartyStatistics source, PartyStatistics destination, string direction) => new()
    {
        StreamIndex = stream.Index,
        Direction = direction,
        MediaType = stream.MediaType,
        Codec = stream.Codec,
        Protocol = stream.Protocol,
        SourceTag = source.Tag,
        SourceLearned = Text(source.Rtp.LearnedRemote),
        SourceSdp = Text(source.Rtp.SdpRemote),
        RelayIn = Text(source.Rtp.Local),
        RelayOut = Text(destination.Rtp.Local),
        Destination = Text(destination.Rtp.LearnedRemote ?? destination.Rtp.SdpRemote),
        InterfaceIn = source.Interface,
        InterfaceOut = destination.Interface,
        RtpPackets = source.Rtp.TotalPackets,
        RtpBytes = source.Rtp.TotalBytes,
        RtpUserPackets = source.Rtp.Packets,
        RtpUserBytes = source.Rtp.Bytes,
        RtpKernelPackets = source.Rtp.KernelPackets,
        RtpKernelBytes = source.Rtp.KernelBytes,
        RtpErrors = source.Rtp.Errors,
        RtcpPackets = source.Rtcp.TotalPackets,
        RtcpBytes = source.Rtcp.TotalBytes,
        RtcpUserPackets = source.Rtcp.Packets,
        RtcpUserBytes = source.Rtcp.Bytes,
        RtcpKernelPackets = source.Rtcp.KernelPackets,
        RtcpKernelBytes = source.Rtcp.KernelBytes,
        RtcpErrors = source.Rtcp.Errors,
        Ssrc = source.Quality.Ssrc,
        PacketsLost = source.Quality.PacketsLost,
        LossPercent = source.Quality.LossPercent,
        JitterMs = source.Quality.JitterMilliseconds,
        Mos = destination.Quality.Mos,
    };

    private static string? Text(IPEndPoint? endPoint) => endPoint?.ToString();
}
