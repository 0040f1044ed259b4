using Microsoft.Extensions.Logging;

namespace MediaRelay.Management;

internal static partial class ManagementLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "management API, metrics and dashboard on {Url} ({Access})")]
    public static partial void Listening(ILogger logger, string url, string access);
}
