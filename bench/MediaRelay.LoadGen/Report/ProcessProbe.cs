using System.Globalization;
using System.Runtime.InteropServices;

namespace MediaRelay.LoadGen.Report;

/// <summary>Reads a process's CPU time (/proc/PID/stat utime+stime) and RSS (/proc/PID/status VmRSS, VmHWM).</summary>
internal static partial class ProcessProbe
{
    private const int ScClockTicks = 2; // _SC_CLK_TCK on Linux

    /// <summary>USER_HZ: the unit of /proc/PID/stat and /proc/stat times (100 unless sysconf says otherwise).</summary>
    public static double ClockTicksPerSecond => SysConf(ScClockTicks) is > 0 and var hertz ? hertz : 100;

    public static double? CpuSeconds(int pid)
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

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}
