using System.Globalization;
using System.Runtime.InteropServices;

namespace MediaRelay.Accounting.Storage.Worker;

/// <summary>
/// Lowers every thread of this process to nice <see cref="Nice"/> (Linux keeps a nice value per thread, and a new
/// thread takes its creator's). On a busy core a nice-5 thread gets about a third of a nice-0 thread's time, so the
/// relay's threads come first and the worker still keeps up. Measured under the control load on two cores
/// (docs/BENCHMARKS.md): at nice 10 and 19 the worker fell behind until the relay's queue was full, which costs the
/// relay more than the worker saves it; at nice 0 offers waited for the worker as they did for the writer in process.
/// Lowering needs no privilege; a failure (not Linux, a sandbox forbidding it) leaves the priority as it was.
/// </summary>
public static partial class LowPriority
{
    public const int Nice = 5;

    /// <summary>Applies it to the threads there are now; returns how many were lowered.</summary>
    public static int Apply()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        var lowered = 0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid) && SetPriority(0, tid, Nice) == 0)
                {
                    lowered++;
                }
            }
        }
        catch (IOException)
        {
        }

        return lowered;
    }

    /// <summary>setpriority(2) with PRIO_PROCESS (0): on Linux a thread id names that one thread.</summary>
    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);
}
