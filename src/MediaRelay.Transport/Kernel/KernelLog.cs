using Microsoft.Extensions.Logging;

namespace MediaRelay.Transport.Kernel;

internal static partial class KernelLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "kernel refused the flow {Flow}: {Error} ({Reason}); it stays in user space")]
    public static partial void InstallRefused(ILogger logger, string flow, int error, string reason);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "kernel flow {Flow} could not be deleted: errno {Error}")]
    public static partial void RemoveFailed(ILogger logger, string flow, int error);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "eBPF program could not be detached from interface {IfIndex}: errno {Error}; remove it with: tc filter del dev IFACE ingress prio 19794 handle 0x4d52NNNN bpf (NNNN: the ng port in hex)")]
    public static partial void DetachFailed(ILogger logger, int ifIndex, int error);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "removed the eBPF program an earlier run left attached to {Count} interface(s) (it stopped without detaching: killed or crashed); its flows are gone with it")]
    public static partial void StaleRemoved(ILogger logger, int count);
}
