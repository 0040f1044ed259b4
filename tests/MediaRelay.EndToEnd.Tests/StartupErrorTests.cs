using System.Net;
using System.Net.Sockets;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.EndToEnd.Tests.Relays;
using static MediaRelay.EndToEnd.Tests.Infrastructure.RelayProcess;

namespace MediaRelay.EndToEnd.Tests;

/// <summary>
/// Issue 13, finding 5: the start-ups a new user meets, each refused with what is wrong and exit code 2 (or, for a
/// port range partly taken, started with a warning that says how much of it is usable).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class StartupErrorTests : IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("mediarelay-startup-").FullName;

    [Fact(Timeout = 60_000)]
    public async Task A_malformed_config_file_names_the_file_and_line()
    {
        var path = Path.Combine(_workDirectory, "broken.json");
        await File.WriteAllTextAsync(path, "{\n  \"MediaRelay\": {\n    \"PortMin\": 40000,\n    \"PortMax\": \n  }\n}\n");

        var log = await RefusedAsync(["run", "--config", path]);

        Assert.Contains($"mediarelay: configuration error: {path} line 5: ", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", log, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", log, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_relay_address_that_is_not_on_this_machine_is_refused_with_the_addresses_it_has()
    {
        var log = await RefusedAsync(["run", "--relay-address", "203.0.113.5"]);

        Assert.Contains("configuration error: relay-address 203.0.113.5 is not an address of this machine (it has 127.0.0.1", log, StringComparison.Ordinal);
        Assert.Contains("--interface public/PRIVATE!203.0.113.5", log, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Control_listen_addresses_in_use_are_refused_each_with_its_option()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 20);

        var ng = await RefusedAsync([.. RunOn(endpoints), "--ng-listen", "127.0.0.1:" + port]);
        var rtpproxy = await RefusedAsync([.. RunOn(endpoints), "--rtpproxy-listen", "udp:127.0.0.1:" + port]);
        var mediaproxy = await RefusedAsync([.. RunOn(endpoints), "--mediaproxy-socket", "/proc/mediarelay/dispatcher.sock"]);

        // RunOn gives the relay an ng listener of its own; the one in use is the second.
        Assert.Contains($"mediarelay: cannot listen for ng on {endpoints.Ng}, 127.0.0.1:{port}: AddressAlreadyInUse", ng, StringComparison.Ordinal);
        Assert.Contains($"mediarelay: cannot listen for rtpproxy on 127.0.0.1:{port}", rtpproxy, StringComparison.Ordinal);
        Assert.Contains("--rtpproxy-listen", rtpproxy, StringComparison.Ordinal);
        Assert.Contains("mediarelay: cannot listen for mediaproxy on /proc/mediarelay/dispatcher.sock", mediaproxy, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_port_range_partly_taken_says_how_many_pairs_are_usable()
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 20);
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, endpoints.PortMin + 2));
        using var process = Start(RunOn(endpoints));
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);

        var pairs = (endpoints.PortMax - endpoints.PortMin + 1) / 2;
        Assert.Contains($"port range {endpoints.PortMin}-{endpoints.PortMax}: 1 port(s) are held by other programs, so only {pairs - 1} of {pairs} RTP/RTCP pairs per address are usable",
            process.Log, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_port_range_in_the_kernels_ephemeral_range_is_named_with_the_sysctl_that_reserves_it()
    {
        var bounds = (await File.ReadAllTextAsync("/proc/sys/net/ipv4/ip_local_port_range")).Split(['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        var low = int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture);
        var inside = RelayEndpoints.Allocate(mediaPorts: 20);
        var first = (low + 1000) & ~1;
        string[] arguments = ["run", "--relay-address", "127.0.0.1", "--ng-listen", inside.Ng.ToString(), "--port-min", first.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--port-max", (first + 19).ToString(System.Globalization.CultureInfo.InvariantCulture)];
        using (var process = Start(arguments))
        {
            using var ng = new NgClient(inside.Ng);
            await WaitForNgAsync(ng, process);
            var reserved = (await File.ReadAllTextAsync("/proc/sys/net/ipv4/ip_local_reserved_ports")).Trim();
            if (reserved.Length == 0)
            {
                Assert.Contains($"port range {first}-{first + 19}: 20 of its ports lie in the kernel's ephemeral port range {low}-", process.Log, StringComparison.Ordinal);
                Assert.Contains($"sysctl -w net.ipv4.ip_local_reserved_ports={first}-{first + 19}", process.Log, StringComparison.Ordinal);
            }
        }

        // The tests' own ranges (20000-29999) lie below it: no such warning.
        var below = RelayEndpoints.Allocate(mediaPorts: 20);
        using var quiet = Start(RunOn(below));
        using var ngBelow = new NgClient(below.Ng);
        await WaitForNgAsync(ngBelow, quiet);
        Assert.Contains($"port range {below.PortMin}-{below.PortMax}: 10 of 10 RTP/RTCP pairs per address usable now", quiet.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("ephemeral port range", quiet.Log, StringComparison.Ordinal);
    }

    private async Task<string> RefusedAsync(IEnumerable<string> arguments)
    {
        using var process = Start(arguments);
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30), CancellationToken.None), process.Log);
        Assert.True(process.ExitCode == 2, $"exit code {process.ExitCode}, not 2:\n{process.Log}");
        return process.Log;
    }

    private ManagedProcess Start(IEnumerable<string> arguments) => RelayProcess.Start(_workDirectory, arguments);

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);
}
