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

    [LoggerMessage(EventId = 208, Level = LogLevel.Information, Message = "descriptor limit {Limit} (hard limit {Hard}): {Reserve} kept for the runtime, ng and shutdown ({Open} open at start, {Spare} spare), room for {Sockets} media sockets, {Calls} calls of one audio stream")]
    public static partial void DescriptorBudget(ILogger logger, long limit, long hard, long reserve, int open, int spare, int sockets, int calls);

    [LoggerMessage(EventId = 209, Level = LogLevel.Information, Message = "descriptor limit (RLIMIT_NOFILE) raised from {Before} to the hard limit {Limit}")]
    public static partial void DescriptorLimitRaised(ILogger logger, long before, long limit);

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "descriptor limit (RLIMIT_NOFILE) not raised from {Before} to the hard limit {Hard}: errno {Errno}; the relay runs with {Before}")]
    public static partial void DescriptorLimitNotRaised(ILogger logger, long before, long hard, int errno);

    [LoggerMessage(EventId = 211, Level = LogLevel.Warning, Message = "ports {PortMin}-{PortMax} need {Ports} media sockets but the descriptor limit {Limit} leaves room for {Sockets}: {Calls} calls of one audio stream (4 sockets each) fit, not {RangeCalls}; raise the limit to at least {Needed} (LimitNOFILE= in the systemd unit, `ulimit -n` in the shell that starts the relay) or narrow the port range to {FittingPorts} ports")]
    public static partial void DescriptorsShort(ILogger logger, int portMin, int portMax, int ports, long limit, int sockets, int calls, int rangeCalls, long needed, int fittingPorts);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "configuration file {Path}")]
    public static partial void ConfigFile(ILogger logger, string path);

    [LoggerMessage(EventId = 220, Level = LogLevel.Information, Message = "kernel forwarding: {Description}")]
    public static partial void KernelForwarding(ILogger logger, string description);

    [LoggerMessage(EventId = 221, Level = LogLevel.Information, Message = "kernel forwarding is not available ({Reason}); every packet goes through user space")]
    public static partial void KernelForwardingUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 222, Level = LogLevel.Information, Message = "kernel forwarding: {Installs} direction(s) installed (mean {InstallMicroseconds:F0} us from learning to the kernel), {Refused} refused")]
    public static partial void KernelFigures(ILogger logger, long installs, double installMicroseconds, long refused);

    [LoggerMessage(EventId = 223, Level = LogLevel.Debug, Message = "control: ng only (MediaProxy's protocol: --mediaproxy-socket; rtpproxy's: --rtpproxy-listen)")]
    public static partial void OnlyNg(ILogger logger);

    [LoggerMessage(EventId = 224, Level = LogLevel.Information, Message = "port range {PortMin}-{PortMax}: {Usable} of {Pairs} RTP/RTCP pairs per address usable now")]
    public static partial void PortRangeFree(ILogger logger, int portMin, int portMax, int usable, int pairs);

    [LoggerMessage(EventId = 225, Level = LogLevel.Warning, Message = "port range {PortMin}-{PortMax}: {Ports} port(s) are held by other programs, so only {Usable} of {Pairs} RTP/RTCP pairs per address are usable; give the relay a range of its own (--port-min, --port-max), below the kernel's ephemeral range (net.ipv4.ip_local_port_range)")]
    public static partial void PortRangeTaken(ILogger logger, int portMin, int portMax, int ports, int usable, int pairs);

    [LoggerMessage(EventId = 234, Level = LogLevel.Warning, Message = "port range {PortMin}-{PortMax}: {Ports} of its ports lie in the kernel's ephemeral port range {Low}-{High} (net.ipv4.ip_local_port_range), from which any program's outgoing sockets take ports, and then the relay cannot bind them; reserve the range for the relay (sysctl -w net.ipv4.ip_local_reserved_ports={Reserved}, and a file in /etc/sysctl.d/ to keep it) or choose one below {Low}")]
    public static partial void PortRangeEphemeral(ILogger logger, int portMin, int portMax, int ports, int low, int high, string reserved);

    [LoggerMessage(EventId = 226, Level = LogLevel.Warning, Message = "draining (SIGHUP or the management API): new calls are refused, {Sessions} call(s) go on; the relay exits when the last one ends (limit: {Limit})")]
    public static partial void Draining(ILogger logger, int sessions, string limit);

    [LoggerMessage(EventId = 227, Level = LogLevel.Information, Message = "drained: the last call ended; stopping")]
    public static partial void Drained(ILogger logger);

    [LoggerMessage(EventId = 228, Level = LogLevel.Warning, Message = "drain limit reached with {Sessions} call(s) still running; stopping (they end as shutdown)")]
    public static partial void DrainTimedOut(ILogger logger, int sessions);

    [LoggerMessage(EventId = 229, Level = LogLevel.Warning, Message = "management listener {Address} (the default) is taken ({Reason}): another relay on this host has it; this relay runs without the management API, metrics and dashboard; give it its own address with --management-listen")]
    public static partial void ManagementDefaultTaken(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 235, Level = LogLevel.Debug, Message = "native heap trimmed (memory given back to the kernel: {Released})")]
    public static partial void HeapTrimmed(ILogger logger, bool released);

    [LoggerMessage(EventId = 236, Level = LogLevel.Debug, Message = "the C library has no malloc_trim (not glibc): the native heap is not trimmed")]
    public static partial void HeapTrimUnavailable(ILogger logger);

    [LoggerMessage(EventId = 230, Level = LogLevel.Debug, Message = "told systemd: {State}")]
    public static partial void Notified(ILogger logger, string state);

    [LoggerMessage(EventId = 231, Level = LogLevel.Warning, Message = "could not notify systemd on NOTIFY_SOCKET {Address}: {Error}")]
    public static partial void NotifyFailed(ILogger logger, string address, string error);

    [LoggerMessage(EventId = 232, Level = LogLevel.Warning, Message = "NOTIFY_SOCKET {Address} is not a UNIX socket path or @abstract name; systemd is not told when the relay is ready")]
    public static partial void NotifySocketUnsupported(ILogger logger, string address);

    [LoggerMessage(EventId = 233, Level = LogLevel.Information, Message = "accounting: off (--accounting off); ended sessions are only logged")]
    public static partial void AccountingOff(ILogger logger);

    [LoggerMessage(EventId = 234, Level = LogLevel.Information, Message = "accounting: the relay's own process writes the database ({Why}); --accounting-worker off says the same without this line")]
    public static partial void AccountingWorkerUnavailable(ILogger logger, string why);

    [LoggerMessage(EventId = 235, Level = LogLevel.Information, Message = "accounting: worker process {Pid} writes the database, at nice {Nice} (--accounting-worker off writes from the relay's own process)")]
    public static partial void AccountingWorkerStarted(ILogger logger, int pid, int nice);

    [LoggerMessage(EventId = 236, Level = LogLevel.Warning, Message = "accounting: the worker process could not be started ({Why}); the relay's own process writes the database, as with --accounting-worker off")]
    public static partial void AccountingWorkerFellBack(ILogger logger, string why);

    [LoggerMessage(EventId = 237, Level = LogLevel.Information, Message = "control path warmed up: {Calls} private calls ({Protocols}) in {Rounds} rounds, {Methods} methods compiled, {Milliseconds} ms (--warm-up off skips this)")]
    public static partial void WarmedUp(ILogger logger, int calls, string protocols, int rounds, long methods, long milliseconds);

    [LoggerMessage(EventId = 238, Level = LogLevel.Information, Message = "control path warm-up reached its time limit: {Calls} private calls ({Protocols}), {Methods} methods compiled, {Milliseconds} ms; the first calls compile what is left (a busy machine?)")]
    public static partial void WarmUpTimeLimit(ILogger logger, int calls, string protocols, long methods, long milliseconds);

    [LoggerMessage(EventId = 239, Level = LogLevel.Warning, Message = "control path warm-up stopped after {Calls} private calls: {Why}; the relay starts anyway, and its first calls compile what is left")]
    public static partial void WarmUpFailed(ILogger logger, int calls, string why);
}
