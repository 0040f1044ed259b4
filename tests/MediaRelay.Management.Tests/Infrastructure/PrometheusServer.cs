using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MediaRelay.EndToEnd.Tests.Infrastructure;

namespace MediaRelay.Management.Tests.Infrastructure;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c>, installed by .ci/install-deps.sh) that scrapes one target
/// every second into a throw-away database, queried through its HTTP API: the exposition is parsed by Prometheus itself.
/// </summary>
internal sealed class PrometheusServer : IDisposable
{
    public const string Binary = "/usr/bin/prometheus";

    private readonly ManagedProcess _process;
    private readonly string _directory;
    private readonly HttpClient _http;

    private PrometheusServer(ManagedProcess process, string directory, Uri api)
    {
        _process = process;
        _directory = directory;
        _http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Log => _process.Log;

    /// <summary>Starts Prometheus scraping <paramref name="target"/>'s /metrics (with the bearer token when given).</summary>
    public static async Task<PrometheusServer> StartAsync(Uri target, string? token = null)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: the metrics tests need Debian's prometheus package; run .ci/install-deps.sh");
        var directory = Directory.CreateTempSubdirectory("mediarelay-prometheus-").FullName;
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 900ms
            scrape_configs:
              - job_name: mediarelay
                metrics_path: /metrics
                static_configs:
                  - targets: ['{target.Authority}']
            {(token is null ? "" : $"    authorization:\n      credentials: {token}\n")}
            """);
        var port = FreeTcpPort();
        var process = ManagedProcess.Start("prometheus", Binary,
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}", $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
            directory);
        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline && !process.HasExited, "Prometheus did not start:\n" + process.Log);
            try
            {
                using var ready = await server._http.GetAsync("-/ready");
                if (ready.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Waits for a scrape that began after <paramref name="after"/> and succeeded (up == 1).</summary>
    public async Task WaitForScrapeAfterAsync(DateTimeOffset after)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var up = await QueryAsync("up{job=\"mediarelay\"}");
            var scraped = await QueryAsync("timestamp(up{job=\"mediarelay\"})");
            if (up.Values.FirstOrDefault() == 1 && scraped.Values.FirstOrDefault() > after.ToUnixTimeMilliseconds() / 1000.0)
            {
                return;
            }

            await Task.Delay(250);
        }

        Assert.Fail("Prometheus scraped nothing after " + after + ":\n" + Log);
    }

    /// <summary>An instant query: each series as "name{label="value",...}" (labels sorted, job and instance left out) and its value.</summary>
    public async Task<Dictionary<string, double>> QueryAsync(string promQl)
    {
        using var response = await _http.GetAsync("api/v1/query?query=" + Uri.EscapeDataString(promQl));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"query {promQl}: {text}");
        using var json = JsonDocument.Parse(text);
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var result in json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = result.GetProperty("metric").EnumerateObject()
                .Where(l => l.Name is not ("__name__" or "job" or "instance"))
                .OrderBy(l => l.Name, StringComparer.Ordinal)
                .Select(l => $"{l.Name}=\"{l.Value.GetString()}\"");
            var name = result.GetProperty("metric").TryGetProperty("__name__", out var n) ? n.GetString() : "";
            var value = double.Parse(result.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
            series[$"{name}{{{string.Join(",", labels)}}}"] = value;
        }

        return series;
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _http.Dispose();
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
