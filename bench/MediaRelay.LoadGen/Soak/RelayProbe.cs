using System.Globalization;

namespace MediaRelay.LoadGen.Soak;

/// <summary>One reading of the relay's own figures from its Prometheus endpoint.</summary>
internal readonly record struct RelayReading(
    double ResidentMegabytes,
    double GcHeapMegabytes,
    double OpenFds,
    double PortsUsed,
    double Sessions,
    double KernelStreams,
    double PacketErrors,
    double Gen2Collections);

/// <summary>Reads the relay's health over its management listener's <c>/metrics</c> (NaN for anything it cannot read).</summary>
internal sealed class RelayProbe(Uri management) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = management, Timeout = TimeSpan.FromSeconds(5) };

    public async Task<RelayReading?> ReadAsync()
    {
        string text;
        try
        {
            text = await _http.GetStringAsync("metrics");
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return null;
        }

        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            if (space > 0 && double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                values[line[..space]] = value;
            }
        }

        double Get(string series) => values.TryGetValue(series, out var v) ? v : double.NaN;
        return new RelayReading(
            Get("process_resident_memory_bytes") / (1024 * 1024),
            Get("mediarelay_gc_heap_bytes") / (1024 * 1024),
            Get("process_open_fds"),
            Get("mediarelay_ports_used"),
            Get("mediarelay_sessions{type=\"own\"}"),
            Get("mediarelay_mediastreams{type=\"kernel\"}"),
            Get("mediarelay_packet_errors_total{type=\"userspace\"}"),
            Get("mediarelay_gc_collections_total{generation=\"2\"}"));
    }

    public void Dispose() => _http.Dispose();
}
