using Microsoft.Extensions.Logging;

namespace MediaRelay.Control.Rtpproxy;

/// <summary>Log lines of rtpproxy's protocol.</summary>
internal static partial class RtpproxyLog
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "rtpproxy command refused: {Reason}; replied E{Code}")]
    public static partial void Refused(ILogger logger, string reason, int code);

    [LoggerMessage(EventId = 501, Level = LogLevel.Error, Message = "rtpproxy {Command} for call {CallId} failed; replied E5")]
    public static partial void Failed(ILogger logger, string command, string? callId, Exception exception);

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "rtpproxy {Command} for call {CallId} is not implemented (recording, playback and copies are not); replied E0")]
    public static partial void Unsupported(ILogger logger, string command, string? callId);
}
