using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Host.Hosting;

/// <summary>
/// Gives the C library's free heap memory back to the kernel once a minute (glibc's <c>malloc_trim</c>). The relay's
/// native allocations (the ng reply cache, SQLite, the runtime's own) come and go with the calls, spread over one
/// malloc arena per thread; glibc returns an arena's free memory only from its top, so a burst leaves free pages
/// resident behind the last live block, and the process's resident size steps up with every burst and never comes
/// down (the soak, issue 13: an arena at 11.6 MB holding 2.7 MB, and 10 MB came back at the first trim). Trimming
/// costs a walk over the arenas, off every packet and control thread. Elsewhere than glibc (musl) there is no such
/// call and nothing to do.
/// </summary>
internal sealed partial class NativeHeapTrim(TimeProvider time, ILogger<NativeHeapTrim> logger) : IHostedService, IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private ITimer? _timer;
    private volatile bool _unavailable;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = time.CreateTimer(_ => TrimNow(), null, Interval, Interval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _timer = null;
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>One trim; false where the C library has none (and from then on no more tries).</summary>
    public bool TrimNow()
    {
        if (_unavailable)
        {
            return false;
        }

        try
        {
            var released = MallocTrim(0) == 1;
            HostLog.HeapTrimmed(logger, released);
            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _unavailable = true;
            HostLog.HeapTrimUnavailable(logger);
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
