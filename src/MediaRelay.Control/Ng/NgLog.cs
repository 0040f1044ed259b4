using System.Net;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Control.Ng;

/// <summary>
/// Log messages of the ng server and commands. Anything a remote sender can trigger per datagram logs at Debug,
/// so a flood of junk cannot flood the log.
/// </summary>
internal static partial class NgLog
{
    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "ng message from {Remote} cookie {Cookie} is malformed: {Error}")]
    public static partial void Malformed(ILogger logger, EndPoint remote, string cookie, string? error);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "ng command {Command} from {Remote}: {Result}")]
    public static partial void Handled(ILogger logger, string command, EndPoint remote, string result);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "ng command {Command} is not recognised")]
    public static partial void UnrecognizedCommand(ILogger logger, string command);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "ng command {Command} for call {CallId} failed")]
    public static partial void HandlerFailed(ILogger logger, string command, string? callId, Exception exception);

    [LoggerMessage(EventId = 14, Level = LogLevel.Debug, Message = "ng reply to {Remote} cookie {Cookie} was {Size} bytes, over the {Limit}-byte limit; sent trimmed to {Trimmed} bytes")]
    public static partial void ReplyTrimmed(ILogger logger, EndPoint remote, string cookie, int size, int limit, int trimmed);
}
