using Microsoft.Extensions.Logging;

namespace MediaRelay.Core;

/// <summary>Log lines of the session model. None is written per packet.</summary>
internal static partial class CoreLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "session {CallId} started: {Streams} stream(s), ports {Ports}")]
    public static partial void SessionStarted(ILogger logger, string callId, int streams, string ports);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "session {CallId} ended: {Reason}, duration {DurationSeconds:F1} s, {Packets} packets ({KernelPackets} in the kernel), {Bytes} bytes, {Errors} dropped, timeout_wait {TimeoutWaitSeconds:F0} s, quality {Quality}")]
    public static partial void SessionEnded(ILogger logger, string callId, string reason, double durationSeconds, long packets, long kernelPackets, long bytes, long errors, double timeoutWaitSeconds, string quality);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "session {CallId}: ran out of ports in {PortMin}-{PortMax} on {Address} ({Sockets} media sockets open); widen the range, raise the descriptor limit (LimitNOFILE) or lower the load")]
    public static partial void OutOfPorts(ILogger logger, string callId, int portMin, int portMax, string address, int sockets);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "session {CallId} refused: the limit of {MaxSessions} sessions is reached")]
    public static partial void SessionLimit(ILogger logger, string callId, int maxSessions);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "interface {Name}: bind {Address}, advertised {Advertised}, ports {PortMin}-{PortMax}: {Pairs} RTP/RTCP pairs, a freed pair kept bound {Reuse} s for the next call")]
    public static partial void PoolReady(ILogger logger, string name, string address, string advertised, int portMin, int portMax, int pairs, double reuse);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "session {CallId}: {Streams} m-lines refused, the limit is {MaxStreams} (--max-streams); nothing was allocated")]
    public static partial void TooManyStreams(ILogger logger, string callId, int streams, int maxStreams);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "session {CallId} stream {Stream}: the {Party}'s SDP destination {Destination} is refused ({Verdict}); nothing is sent to it, and the call goes on with what the {Party} sends (see --deny-media-to)")]
    public static partial void DestinationRefused(ILogger logger, string callId, int stream, string party, string destination, string verdict);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "kernel worker: a kernel call failed; the flows concerned stay where they are")]
    public static partial void KernelWorkerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "call {CallId} deleted, {Delay} s delay")]
    public static partial void RemovalScheduled(ILogger logger, string callId, double delay);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "call {CallId} removed after its delete delay")]
    public static partial void DelayedRemovalDone(ILogger logger, string callId);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "draining: new calls are refused; {Sessions} call(s) go on until they end")]
    public static partial void DrainStarted(ILogger logger, int sessions);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "session {CallId} refused: the relay is draining")]
    public static partial void RefusedWhileDraining(ILogger logger, string callId);
}
