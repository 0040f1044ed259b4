using Microsoft.Extensions.Logging;

namespace MediaRelay.Transport;

/// <summary>Log lines of the UDP transport. Per-packet events are logged at debug level only.</summary>
internal static partial class TransportLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "cannot bind {EndPoint}: {Error}; the port pair is skipped")]
    public static partial void BindFailed(ILogger logger, string endPoint, string error);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "receive error on {EndPoint}: {Error}")]
    public static partial void ReceiveError(ILogger logger, string endPoint, string error);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "packet loop {Loop} cannot run at real-time priority {Priority}: errno {Errno} (needs root or CAP_SYS_NICE); it runs under the normal scheduler")]
    public static partial void RealtimeRefused(ILogger logger, int loop, int priority, int errno);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "packet loops run at real-time priority {Priority} (SCHED_FIFO)")]
    public static partial void RealtimeSet(ILogger logger, int priority);

    /// <summary>One line for the loops' real-time priority: set on every loop, or refused on which.</summary>
    public static void RealtimeOutcome(ILogger logger, int priority, IReadOnlyList<int> errors)
    {
        if (priority <= 0)
        {
            return;
        }

        var refused = false;
        for (var i = 0; i < errors.Count; i++)
        {
            if (errors[i] != 0)
            {
                RealtimeRefused(logger, i, priority, errors[i]);
                refused = true;
            }
        }

        if (!refused)
        {
            RealtimeSet(logger, priority);
        }
    }
}
