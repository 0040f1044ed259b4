using System.Globalization;
using System.Runtime.InteropServices;

namespace MediaRelay.Accounting.Storage.Worker;

/// <summary>
/// Lowers every thread of this process by <see cref="Offset"/> nice steps from the nice value it started with (the
/// relay's: a child takes its parent's), to at most 19. Linux keeps a nice value per thread, and a new thread takes
/// its creator's. On a busy core a thread 5 steps lower gets about a third of the time of one at the relay's level,
/// so the relay's threads come first and the worker still keeps up. Measured under the control load on two cores
/// (docs/BENCHMARKS.md): 10 and 19 steps lower, the worker fell behind until the relay's queue was full, which costs
/// the relay more than the worker saves it; at the relay's own level offers waited for the worker as they did for
/// the writer in process. Lowering needs no privilege; a failure (not Linux, a sandbox forbidding it) leaves the
/// priority as it was.
/// </summary>
public static partial class LowPriority
{
    public const int Offset = 5;

    private const int Lowest = 19;

    /// <summary>The nice value the worker's threads get: its own at start (the relay's), <see cref="Offset"/> lower.</summary>
    public static int Target { get; } = Below(OwnNice());

    /// <summary>The nice value <see cref="Offset"/> steps below <paramref name="nice"/>.</summary>
    public static int Below(int nice) => Math.Min(Lowest, nice + Offset);

    /// <summary>This process's nice value (/proc/self/stat, field 19); 0 when it cannot be read.</summary>
    public static int OwnNice()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[16], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return 0;
        }
    }

    /// <summary>Applies <see cref="Target"/> to the threads there are now; returns how many were lowered.</summary>
    public static int Apply()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        var target = Target;
        var lowered = 0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid) && SetPriority(0, tid, target) == 0)
                {
                    lowered++;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
        }

        return lowered;
    }

    /// <summary>setpriority(2) with PRIO_PROCESS (0): on Linux a thread id names that one thread.</summary>
    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);
}
