using System.Runtime.InteropServices;

namespace MediaRelay.Transport.Native;

/// <summary>Real-time scheduling for the calling thread (sched_setscheduler(2) with SCHED_FIFO).</summary>
internal static unsafe partial class ThreadScheduling
{
    private const int SchedFifo = 1;

    /// <summary>
    /// Puts the calling thread under SCHED_FIFO at <paramref name="priority"/> (1-99). Returns 0, or the errno when
    /// the kernel refuses (EPERM without CAP_SYS_NICE or an RLIMIT_RTPRIO that allows it).
    /// </summary>
    public static int TrySetRealtime(int priority)
    {
        var parameter = priority;
        return SchedSetScheduler(0, SchedFifo, &parameter) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetScheduler(int pid, int policy, int* parameter);
}
