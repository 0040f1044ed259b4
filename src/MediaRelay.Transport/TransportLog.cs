using Microsoft.Extensions.Logging;

namespace MediaRelay.Transport;

/// <summary>Log lines of the UDP transport. Per-packet events are logged at debug level only.</summary>
internal static partial class TransportLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "cannot bind {EndPoint}: {Error}; the port pair is skipped")]
    public static partial void BindFailed(ILogger logger, string endPoint, string error);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "receive error on {EndPoint}: {Error}")]
    public static partial void ReceiveError(ILogger logger, string endPoint, string error);
}
