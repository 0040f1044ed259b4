using System.Net;

namespace MediaRelay.Protocols.MediaProxy;

/// <summary>
/// One stream of a session's statistics, the input of <see cref="MediaProxyJson"/>. Field by field it is an entry
/// of AG Projects' <c>Session.statistics["streams"]</c>. Threading: immutable.
/// </summary>
/// <param name="MediaType">The <c>m=</c> media type.</param>
/// <param name="Status">
/// AG's words: <c>active</c>, <c>on hold</c>, <c>closed</c>, <c>rejected</c>, <c>no-traffic timeout</c>,
/// <c>on hold timeout</c>, <c>conntrack timeout</c>, <c>unselected ICE candidate</c>.
/// </param>
/// <param name="TimeoutWait">Seconds the stream sat idle before it was declared timed out (0 otherwise).</param>
/// <param name="CallerCodec">The caller's RTP codec name (<c>G711u</c>, <c>Dynamic(96)</c>, <c>Unknown</c>).</param>
/// <param name="CalleeCodec">The callee's RTP codec name.</param>
/// <param name="StartTime">Seconds from the session's start to the stream's start; null when it never started.</param>
/// <param name="EndTime">Seconds from the session's start to the stream's end; null when it never started.</param>
/// <param name="PostDialDelay">Seconds from the stream's creation to its first media; null without media.</param>
/// <param name="CallerBytes">Bytes the caller sent through the relay (RTP and RTCP).</param>
/// <param name="CalleeBytes">Bytes the callee sent through the relay.</param>
/// <param name="CallerPackets">Packets the caller sent through the relay.</param>
/// <param name="CalleePackets">Packets the callee sent through the relay.</param>
/// <param name="CallerLocal">The relay's RTP endpoint facing the caller.</param>
/// <param name="CalleeLocal">The relay's RTP endpoint facing the callee.</param>
/// <param name="CallerRemote">The caller's learned RTP endpoint; null (written <c>Unknown</c>) until learned.</param>
/// <param name="CalleeRemote">The callee's learned RTP endpoint; null (written <c>Unknown</c>) until learned.</param>
public sealed record MediaProxyStreamStatistics(
    string MediaType,
    string Status,
    int TimeoutWait,
    string CallerCodec,
    string CalleeCodec,
    int? StartTime,
    int? EndTime,
    double? PostDialDelay,
    long CallerBytes,
    long CalleeBytes,
    long CallerPackets,
    long CalleePackets,
    IPEndPoint? CallerLocal,
    IPEndPoint? CalleeLocal,
    IPEndPoint? CallerRemote,
    IPEndPoint? CalleeRemote);
