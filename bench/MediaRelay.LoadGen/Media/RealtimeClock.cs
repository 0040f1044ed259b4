using System.Runtime.InteropServices;

namespace MediaRelay.LoadGen.Media;

/// <summary>
/// CLOCK_REALTIME in nanoseconds since the epoch, the clock the kernel's SO_TIMESTAMPNS receive stamps use, so a
/// send stamp from here and a kernel receive stamp can be subtracted. clock_gettime goes through the vDSO: no system
/// call, no allocation. A clock step (settimeofday, an NTP step) during a run shifts the difference; slewing does not
/// matter at these time scales.
/// </summary>
internal static partial class RealtimeClock
{
    private const int ClockRealtime = 0;

    public static unsafe long NowNanoseconds()
    {
        Timespec now;
        if (ClockGetTime(ClockRealtime, &now) != 0)
        {
            return 0;
        }

        return (now.Seconds * 1_000_000_000L) + now.Nanoseconds;
    }

    /// <summary>struct timespec on 64-bit Linux: two 64-bit longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static unsafe partial int ClockGetTime(int clockId, Timespec* time);
}
