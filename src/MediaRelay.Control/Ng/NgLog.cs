using System.Net;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Control.Ng;

/// <summary>
/// Log messages of the ng server and commands. Anything a remote sender can trigger per datagram logs at Debug,
/// so a flood of junk cannot flood the log.
/// </summary>
internal static partial class NgLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "ng control listening on udp {EndPoint}")]
    public static partial void Listening(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "ng control stopped listening on udp {EndPoint}")]
    public static partial void Stopped(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "ng datagram from {Remote} has no cookie; dropped")]
    public static partial void NoCookie(ILogger logger, EndPoint remote);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "ng message from {Remote} cookie {Cookie} is malformed: {Error}")]
    public static partial void Malformed(ILogger logger, EndPoint remote, string cookie, string? error);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "ng cookie {Cookie} from {Remote} is a retransmission; reply replayed")]
    public static partial void Replayed(ILogger logger, string cookie, EndPoint remote);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "ng cookie {Cookie} from {Remote} arrived while its first copy runs; reply follows")]
    public static partial void DuplicateWhilePending(ILogger logger, string cookie, EndPoint remote);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "ng command {Command} from {Remote}: {Result}")]
    public static partial void Handled(ILogger logger, string command, EndPoint remote, string result);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "ng command {Command} is not recognised")]
    public static partial void UnrecognizedCommand(ILogger logger, string command);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "ng command {Command} for call {CallId} failed")]
    public static partial void HandlerFailed(ILogger logger, string command, string? callId, Exception exception);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "ng receive on {EndPoint} failed: {Error}")]
    public static partial void ReceiveFailed(ILogger logger, IPEndPoint endPoint, System.Net.Sockets.SocketError error);

    // Warning, not Debug: a proxy that gets no reply takes the relay out of service, so the operator must see why.
    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "ng reply to {Remote} failed: {Error}")]
    public static partial void SendFailed(ILogger logger, EndPoint remote, System.Net.Sockets.SocketError error);

    [LoggerMessage(EventId = 14, Level = LogLevel.Debug, Message = "ng reply to {Remote} cookie {Cookie} was {Size} bytes, over the {Limit}-byte limit; sent trimmed to {Trimmed} bytes")]
    public static partial void ReplyTrimmed(ILogger logger, EndPoint remote, string cookie, int size, int limit, int trimmed);
}
