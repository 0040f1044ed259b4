using System.Diagnostics;
using System.Globalization;

namespace MediaRelay.LoadGen.Report;

/// <summary>
/// Busy time per core over a window, as wall time minus idle (idle + iowait from /proc/stat). The kernel counts
/// user/system/softirq by the tick, so forwarding done in softirq between ticks hardly shows in those columns; idle
/// time is measured exactly (nohz), so wall − idle is the honest figure for a kernel path (DESIGN 4.1).
/// </summary>
internal sealed class CoreBusy
{
    private readonly double[] _idleSeconds;
    private readonly long _started;

    private CoreBusy(double[] idleSeconds)
    {
        _idleSeconds = idleSeconds;
        _started = Stopwatch.GetTimestamp();
    }

    /// <summary>Starts a window, or null where /proc/stat cannot be read.</summary>
    public static CoreBusy? Start() => ReadIdle() is { } idle ? new CoreBusy(idle) : null;

    /// <summary>Busy seconds of each core since <see cref="Start"/>, clamped to 0..wall; null when unreadable.</summary>
    public (double[] Busy, double WallSeconds)? Stop()
    {
        var idle = ReadIdle();
        var wall = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        if (idle is null || idle.Length != _idleSeconds.Length)
        {
            return null;
        }

        var busy = new double[idle.Length];
        for (var core = 0; core < idle.Length; core++)
        {
            busy[core] = Math.Clamp(wall - (idle[core] - _idleSeconds[core]), 0, wall);
        }

        return (busy, wall);
    }

    /// <summary>Adds machine_busy_pct / _us_per_pkt and relay_core_busy_pct / _us_per_pkt (prefix before each).</summary>
    public static void AddFigures(RunReport report, string prefix, (double[] Busy, double WallSeconds)? window, int relayCore, double packets)
    {
        if (window is not { } w || w.WallSeconds <= 0)
        {
            return;
        }

        var machine = w.Busy.Sum();
        report.Add(prefix + "machine_busy_pct", machine * 100.0 / w.WallSeconds);
        report.Add(prefix + "machine_busy_us_per_pkt", packets > 0 ? machine * 1e6 / packets : double.NaN);
        var core = relayCore >= 0 && relayCore < w.Busy.Length ? w.Busy[relayCore] : double.NaN;
        report.Add(prefix + "relay_core_busy_pct", core * 100.0 / w.WallSeconds);
        report.Add(prefix + "relay_core_busy_us_per_pkt", packets > 0 ? core * 1e6 / packets : double.NaN);
    }

    /// <summary>Idle + iowait seconds of each "cpuN" line, in core order.</summary>
    private static double[]? ReadIdle()
    {
        try
        {
            var cores = new List<double>();
            foreach (var line in File.ReadLines("/proc/stat"))
            {
                if (!line.StartsWith("cpu", StringComparison.Ordinal) || line.Length < 4 || !char.IsAsciiDigit(line[3]))
                {
                    continue;
                }

                // cpuN user nice system idle iowait ...: USER_HZ ticks.
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var ticks = long.Parse(fields[4], CultureInfo.InvariantCulture) + long.Parse(fields[5], CultureInfo.InvariantCulture);
                cores.Add(ticks / ProcessProbe.ClockTicksPerSecond);
            }

            return cores.Count > 0 ? [.. cores] : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
