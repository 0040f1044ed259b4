using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.EndToEnd.Tests.Relays;
using MediaRelay.Host.Configuration;
using Xunit.Abstractions;

namespace MediaRelay.EndToEnd.Tests.Packaging;

/// <summary>
/// Issue 12, part 3: the self-contained single-file binary (packaging/publish.sh), installed into a temporary root
/// (packaging/install.sh with DESTDIR): the unit passes `systemd-analyze verify`, and the installed binary, run as the
/// unit runs it (with the installed example configuration), tells NOTIFY_SOCKET READY=1 and answers an ng ping.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class PackagingTests(PublishedRelay package, ITestOutputHelper output) : IClassFixture<PublishedRelay>
{
    [PackagingFact]
    public void Publish_makes_one_executable_and_install_lays_out_binary_unit_config_and_user()
    {
        Published();
        output.WriteLine($"published {PublishedRelay.Rid} in {package.PublishTime.TotalSeconds:F0} s:\n{package.PublishLog}\n{package.InstallLog}");

        // One file: no assembly, runtime or ASP.NET Core library beside it.
        var beside = Directory.GetFiles(package.PublishDirectory).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(beside, f => f!.EndsWith(".dll", StringComparison.Ordinal) || f.EndsWith(".so", StringComparison.Ordinal));
        Assert.True(new FileInfo(package.InstalledBinary).Length > 30_000_000, "too small to hold the runtime");
        Assert.True(!OperatingSystem.IsWindows() && File.GetUnixFileMode(package.InstalledBinary).HasFlag(UnixFileMode.UserExecute));

        var unit = File.ReadAllText(package.InstalledUnit);
        Assert.Contains("ExecStart=/usr/local/bin/mediarelay run --config /etc/mediarelay/mediarelay.json", unit, StringComparison.Ordinal);
        Assert.Contains("Type=notify", unit, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(package.DestDir, "usr/lib/sysusers.d/mediarelay.conf")));
        // The default media range reserved in the kernel's ephemeral range, in the file sysctl reads at boot.
        Assert.Contains("net.ipv4.ip_local_reserved_ports = 40000-59999", File.ReadAllText(Path.Combine(package.DestDir, "etc/sysctl.d/60-mediarelay.conf")), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(Path.Combine(PublishedRelay.RepositoryRoot, "src/MediaRelay.Host/mediarelay.json")), File.ReadAllText(package.InstalledConfig));
        Assert.Contains($"install.sh: installed {package.InstalledBinary}", package.InstallLog, StringComparison.Ordinal);
        Assert.Contains("user mediarelay not created (DESTDIR is set", package.InstallLog, StringComparison.Ordinal);
    }

    [SystemdAnalyzeFact(Timeout = 60_000)]
    public async Task The_installed_unit_passes_systemd_analyze_verify()
    {
        Published();
        // verify checks that ExecStart's executable exists: in a private mount namespace, the temporary root's bin
        // folder is shown at /usr/local/bin. --root would look for systemd's own targets and /bin/kill there too.
        var script = $"mount --bind '{Path.GetDirectoryName(package.InstalledBinary)}' /usr/local/bin && exec systemd-analyze verify '{package.InstalledUnit}'";
        var (exitCode, text) = await PublishedRelay.RunAsync("unshare", ["--mount", "sh", "-c", script], null, TimeSpan.FromSeconds(45));

        // verify exits 0 on unknown keys and bad values too: it only warns. Any output is a finding.
        Assert.True(exitCode == 0 && string.IsNullOrWhiteSpace(text), $"systemd-analyze verify exited {exitCode}:\n{text}");
    }

    [PackagingFact(Timeout = 90_000)]
    public async Task The_installed_binary_with_the_installed_config_tells_systemd_ready_then_answers_ng_ping()
    {
        Published();
        var work = Directory.CreateTempSubdirectory("mediarelay-packaged-").FullName;
        try
        {
            var endpoints = RelayEndpoints.Allocate(mediaPorts: 20);
            var management = FreeTcpPort();
            using var notify = NotifyListener.AtPath(Path.Combine(work, "notify.sock"));
            // As the unit runs it, every key from the installed example; the addresses and ports this test owns.
            using var relay = ManagedProcess.Start("mediarelay", package.InstalledBinary,
            [
                "run", "--config", package.InstalledConfig, "--relay-address", "127.0.0.1", "--ng-listen", endpoints.Ng.ToString(),
                "--port-min", endpoints.PortMin.ToString(CultureInfo.InvariantCulture), "--port-max", endpoints.PortMax.ToString(CultureInfo.InvariantCulture),
                "--management-listen", "127.0.0.1:" + management.ToString(CultureInfo.InvariantCulture),
            ], work, new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Address, ["JOURNAL_STREAM"] = "" });

            var ready = await notify.WaitForAsync("READY=1", TimeSpan.FromSeconds(30), () => relay.Log);
            Assert.Contains($"STATUS=relaying: ng on {endpoints.Ng}", ready, StringComparison.Ordinal);

            // Ready means ready: ng answers at once.
            using var ng = new NgClient(endpoints.Ng);
            Assert.True(await ng.PingAsync(TimeSpan.FromSeconds(2), CancellationToken.None), "no pong right after READY=1:\n" + relay.Log);
            Assert.Contains($"configuration file {package.InstalledConfig}", relay.Log, StringComparison.Ordinal);

            // ASP.NET Core is inside the single file: the management API answers.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var summary = JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{management}/api/summary")));
            Assert.Equal("active", summary.RootElement.GetProperty("status").GetString());

            // libbpf1 comes from the system, and the single file finds it (kernel forwarding is "auto" in the file).
            if (File.Exists("/usr/lib/x86_64-linux-gnu/libbpf.so.1") || File.Exists("/usr/lib/aarch64-linux-gnu/libbpf.so.1"))
            {
                Assert.DoesNotContain("libbpf.so.1 is not installed", relay.Log, StringComparison.Ordinal);
            }

            // A terminal's log (JOURNAL_STREAM empty): timestamps, no syslog priorities.
            Assert.Matches(@"(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} info: MediaRelay\.", relay.Log);

            using (var term = System.Diagnostics.Process.Start("kill", ["-TERM", relay.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            await notify.WaitForAsync("STOPPING=1", TimeSpan.FromSeconds(20), () => relay.Log);
            Assert.True(await relay.WaitForExitAsync(TimeSpan.FromSeconds(20), CancellationToken.None), "no exit after SIGTERM:\n" + relay.Log);
            Assert.Equal(0, relay.ExitCode);
            output.WriteLine(string.Join("\n", notify.Received));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public void The_example_config_names_every_setting()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "mediarelay.example.json");
        using var example = JsonDocument.Parse(File.ReadAllText(path));
        var section = example.RootElement.GetProperty("MediaRelay");
        var missing = typeof(MediaRelaySettings).GetProperties().Select(p => p.Name)
            .Where(name => !section.TryGetProperty(name, out _)).ToList();
        Assert.True(missing.Count == 0, $"src/MediaRelay.Host/mediarelay.json lacks {string.Join(", ", missing)}: add each with its default");
        Assert.True(example.RootElement.TryGetProperty("Logging", out _));

        // Each at its default, so the file documents the defaults.
        var defaults = JsonSerializer.SerializeToElement(new MediaRelaySettings());
        foreach (var property in section.EnumerateObject())
        {
            Assert.True(defaults.TryGetProperty(property.Name, out var value), $"{property.Name} is not a setting");
            var expected = property.Name == nameof(MediaRelaySettings.NgListen) ? $"[\"{MediaRelaySettings.DefaultNgListen}\"]" : value.GetRawText();
            Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(expected).RootElement, property.Value),
                $"{property.Name} is {property.Value.GetRawText()} in the example, {expected} by default");
        }
    }

    private void Published()
    {
        Assert.True(package.Failure is null, package.Failure);
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
