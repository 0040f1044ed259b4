using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Control.Listeners;

/// <summary>Log lines of the control listeners shared by the protocols.</summary>
internal static partial class ListenerLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "{Protocol} control listening on unix {Path}")]
    public static partial void UnixListening(ILogger logger, string protocol, string path);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "{Protocol} control stopped listening on unix {Path}")]
    public static partial void UnixStopped(ILogger logger, string protocol, string path);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "{Protocol} control: accept failed: {Error}")]
    public static partial void AcceptFailed(ILogger logger, string protocol, SocketError error);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "{Protocol} control: a request of {Size} bytes is malformed or over the {Limit}-byte limit; connection closed")]
    public static partial void StreamRequestRefused(ILogger logger, string protocol, int size, int limit);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "{Protocol} control listening on udp {EndPoint}")]
    public static partial void UdpListening(ILogger logger, string protocol, System.Net.IPEndPoint endPoint);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "{Protocol} control stopped listening on udp {EndPoint}")]
    public static partial void UdpStopped(ILogger logger, string protocol, System.Net.IPEndPoint endPoint);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "{Protocol} receive on {EndPoint} failed: {Error}")]
    public static partial void UdpReceiveFailed(ILogger logger, string protocol, System.Net.IPEndPoint endPoint, SocketError error);

    [LoggerMessage(EventId = 307, Level = LogLevel.Warning, Message = "{Protocol} reply to {Remote} failed: {Error}")]
    public static partial void UdpSendFailed(ILogger logger, string protocol, System.Net.EndPoint remote, SocketError error);

    [LoggerMessage(EventId = 308, Level = LogLevel.Debug, Message = "{Protocol} datagram from {Remote} has no cookie; dropped")]
    public static partial void NoCookie(ILogger logger, string protocol, System.Net.EndPoint remote);

    [LoggerMessage(EventId = 309, Level = LogLevel.Debug, Message = "{Protocol} cookie {Cookie} from {Remote} is a retransmission; reply replayed")]
    public static partial void Replayed(ILogger logger, string protocol, string cookie, System.Net.EndPoint remote);

    [LoggerMessage(EventId = 310, Level = LogLevel.Debug, Message = "{Protocol} cookie {Cookie} from {Remote} arrived while its first copy runs; reply follows")]
    public static partial void DuplicateWhilePending(ILogger logger, string protocol, string cookie, System.Net.EndPoint remote);

    [LoggerMessage(EventId = 311, Level = LogLevel.Error, Message = "{Protocol} datagram from {Remote} failed outside its command; no reply")]
    public static partial void DatagramFailed(ILogger logger, string protocol, System.Net.EndPoint remote, Exception exception);
}
