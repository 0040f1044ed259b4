using Microsoft.Extensions.Logging;

namespace MediaRelay.Control.MediaProxy;

/// <summary>Log lines of MediaProxy's protocol.</summary>
internal static partial class MediaProxyLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "mediaproxy request refused: {Error}; replied error")]
    public static partial void Malformed(ILogger logger, string error);

    [LoggerMessage(EventId = 401, Level = LogLevel.Error, Message = "mediaproxy {Command} for call {CallId} failed; replied error")]
    public static partial void Failed(ILogger logger, string command, string? callId, Exception exception);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "mediaproxy update for call {CallId} refused: {Reason}; replied error")]
    public static partial void Refused(ILogger logger, string callId, string reason);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "call {CallId}: media timed out ({Reason}); asking {Target} to end dialog {Dialog}")]
    public static partial void EndingDialog(ILogger logger, string callId, string reason, string target, string dialog);

    [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "call {CallId}: ending dialog {Dialog} through {Target} failed: {Error}")]
    public static partial void EndDialogFailed(ILogger logger, string callId, string dialog, string target, string error);

    [LoggerMessage(EventId = 405, Level = LogLevel.Information, Message = "call {CallId}: {Target} answered the end of dialog {Dialog}: {Reply}")]
    public static partial void EndDialogAnswered(ILogger logger, string callId, string dialog, string target, string reply);
}
