using Microsoft.Extensions.Logging;

namespace MediaRelay.Host;

internal static partial class HostLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "media on {Address} ports {PortMin}-{PortMax}; stream timeout {StreamTimeout} s, on-hold timeout {OnHoldTimeout} s")]
    public static partial void MediaReady(ILogger logger, string address, int portMin, int portMax, double streamTimeout, double onHoldTimeout);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "stopping: ending {Sessions} session(s) and freeing their ports")]
    public static partial void Stopping(ILogger logger, int sessions);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "stopped; {PortsInUse} media port(s) still bound")]
    public static partial void Stopped(ILogger logger, int portsInUse);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "packet path: {Transport}")]
    public static partial void TransportChosen(ILogger logger, string transport);

    [LoggerMessage(EventId = 205, Level = LogLevel.Information, Message = "epoll transport: {Packets} packets received in {Batches} recvmmsg batches over {Wakeups} wake-ups; {Truncated} truncated, {SendErrors} refused by sendmmsg, {HandlerErrors} handler errors")]
    public static partial void TransportFigures(ILogger logger, long packets, long batches, long wakeups, long truncated, long sendErrors, long handlerErrors);

    [LoggerMessage(EventId = 206, Level = LogLevel.Information, Message = "io_uring transport: {Packets} packets received over {Rounds} io_uring_enter rounds; {Truncated} truncated, {SendErrors} sends refused, {ReceiveErrors} receive errors, {HandlerErrors} handler errors")]
    public static partial void IoUringFigures(ILogger logger, long packets, long rounds, long truncated, long sendErrors, long receiveErrors, long handlerErrors);

    [LoggerMessage(EventId = 207, Level = LogLevel.Information, Message = "io_uring is not available here ({Reason}); using the epoll packet path")]
    public static partial void IoUringPassedOver(ILogger logger, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "configuration file {Path}")]
    public static partial void ConfigFile(ILogger logger, string path);

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "kernel forwarding: {Description}")]
    public static partial void KernelForwarding(ILogger logger, string description);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "kernel forwarding is not available ({Reason}); every packet goes through user space")]
    public static partial void KernelForwardingUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 212, Level = LogLevel.Information, Message = "kernel forwarding: {Installs} direction(s) installed (mean {InstallMicroseconds:F0} us from learning to the kernel), {Refused} refused")]
    public static partial void KernelFigures(ILogger logger, long installs, double installMicroseconds, long refused);
}
