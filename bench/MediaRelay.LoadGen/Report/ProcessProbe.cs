using System.Globalization;
using System.Runtime.InteropServices;

namespace MediaRelay.LoadGen.Report;

/// <summary>Reads a process's CPU time (/proc/PID/stat utime+stime) and RSS (/proc/PID/status VmRSS, VmHWM).</summary>
internal static partial class ProcessProbe
{
    private const int ScClockTicks = 2; // _SC_CLK_TCK on Linux

    /// <summary>USER_HZ: the unit of /proc/PID/stat and /proc/stat times (100 unless sysconf says otherwise).</summary>
    public static double ClockTicksPerSecond => SysConf(ScClockTicks) is > 0 and var hertz ? hertz : 100;

    /// <summary>
    /// The process's CPU time in seconds, every thread that ever ran in it included: from its CPU-time clock
    /// (clock_getcpuclockid + clock_gettime, nanoseconds) where the system gives it, else from /proc/PID/stat, which
    /// counts 10 ms ticks (too coarse for a relay that burns a few milliseconds a second while the kernel forwards).
    /// </summary>
    public static double? CpuSeconds(int pid) => CpuClockSeconds(pid) ?? CpuTickSeconds(pid);

    /// <summary>The same from /proc/PID/stat's utime + stime (USER_HZ ticks), or null when the process cannot be read.</summary>
    public static double? CpuTickSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");

            // The command name may hold spaces and parentheses; fields restart after the last ')'. utime and stime
            // are fields 14 and 15 (proc(5)), i.e. the 12th and 13th after the name.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
            return ticks / ClockTicksPerSecond;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Peak resident set size (VmHWM) in MB, or null when the process cannot be read.</summary>
    public static double? PeakRssMegabytes(int pid) => StatusMegabytes(pid, "VmHWM:");

    /// <summary>Current resident set size (VmRSS) in MB, or null when the process cannot be read.</summary>
    public static double? RssMegabytes(int pid) => StatusMegabytes(pid, "VmRSS:");

    private static double? StatusMegabytes(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var kilobytes = long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    return kilobytes / 1024.0;
                }
            }

            return null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The process CPU-time clock, in nanoseconds' resolution; null where the system refuses it.</summary>
    public static unsafe double? CpuClockSeconds(int pid)
    {
        if (!OperatingSystem.IsLinux() || ClockGetCpuClockId(pid, out var clock) != 0)
        {
            return null;
        }

        var time = stackalloc long[2];
        return ClockGetTime(clock, time) == 0 ? time[0] + (time[1] / 1e9) : null;
    }

    [LibraryImport("libc", EntryPoint = "clock_getcpuclockid")]
    private static partial int ClockGetCpuClockId(int pid, out int clock);

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static unsafe partial int ClockGetTime(int clock, long* time);

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}
