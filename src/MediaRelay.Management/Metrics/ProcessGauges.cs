using System.Diagnostics;
using Prometheus;

namespace MediaRelay.Management.Metrics;

/// <summary>
/// The relay process's own health, read at scrape time: resident memory and open file descriptors under the names
/// every Prometheus client library uses (<c>process_resident_memory_bytes</c>, <c>process_open_fds</c>), and the
/// managed heap after the last collection with the collections per generation, so a leak or a growing heap shows on
/// a dashboard before it shows as an outage.
/// </summary>
internal sealed class ProcessGauges
{
    private readonly Gauge _resident;
    private readonly Gauge _openFds;
    private readonly Gauge _gcHeap;
    private readonly Counter _collections;

    public ProcessGauges(MetricFactory factory)
    {
        _resident = factory.CreateGauge("process_resident_memory_bytes", "Resident memory size in bytes");
        _openFds = factory.CreateGauge("process_open_fds", "Open file descriptors (sockets included)");
        _gcHeap = factory.CreateGauge("mediarelay_gc_heap_bytes", "Managed heap size in bytes after the last garbage collection (before the first one: bytes allocated so far)");
        _collections = factory.CreateCounter("mediarelay_gc_collections_total", "Garbage collections since the start, by generation", "generation");
    }

    public void Collect()
    {
        using (var process = Process.GetCurrentProcess())
        {
            _resident.Set(process.WorkingSet64);
        }

        _openFds.Set(OpenDescriptors());
        // Before the first collection there is no "after": the bytes allocated so far stand in.
        var lastCollection = GC.GetGCMemoryInfo();
        _gcHeap.Set(lastCollection.Index == 0 ? GC.GetTotalMemory(forceFullCollection: false) : lastCollection.HeapSizeBytes);
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            _collections.WithLabels(generation.ToString(System.Globalization.CultureInfo.InvariantCulture)).IncTo(GC.CollectionCount(generation));
        }
    }

    /// <summary>Entries of /proc/self/fd (Linux); 0 where there is no such directory.</summary>
    private static int OpenDescriptors()
    {
        try
        {
            var count = 0;
            foreach (var _ in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                count++;
            }

            // The enumeration's own descriptor is one of them.
            return Math.Max(0, count - 1);
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
