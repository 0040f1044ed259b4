using System.Globalization;
using System.Net.NetworkInformation;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.EndToEnd.Tests.Relays;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.EndToEnd.Tests.Interfaces;

/// <summary>
/// Issue 14: what an operator meets when an interface is given wrong: `mediarelay run` refuses to start (exit code 2)
/// and says on stderr which interface is wrong and why; an ng offer naming an interface the relay does not have is
/// refused with the names it has, and takes nothing.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class InterfaceConfigurationTests : IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("mediarelay-interfaces-").FullName;

    public static TheoryData<string[], string> BadInterfaces => new()
    {
        { ["--interface", "bad"], "mediarelay: configuration error: interface 'bad' is not NAME/BIND[!ADVERTISED]: give e.g. external/10.0.0.5!203.0.113.10" },
        { ["--interface", "x/192.0.2.250"], "mediarelay: configuration error: interface 'x/192.0.2.250': 192.0.2.250 is not an address of this machine" },
        { ["--interface", "pub/127.0.0.1", "--interface", "pub/127.0.0.2"], "mediarelay: configuration error: interface name 'pub' is given twice for IPv4" },
        { ["--interface", "pub/127.0.0.1!2001:db8::10"], "mediarelay: configuration error: interface 'pub/127.0.0.1!2001:db8::10': the advertised address 2001:db8::10 is not of the bind address's family" },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(BadInterfaces))]
    public async Task A_bad_interface_is_refused_on_stderr_with_exit_code_2(string[] interfaces, string message)
    {
        Assert.DoesNotContain(NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses),
            u => u.Address.ToString() == "192.0.2.250"); // the "not on this machine" case needs it absent

        using var process = RelayProcess.Start(_workDirectory, ["run", "--ng-listen", $"127.0.0.1:{UdpPorts.FreePort()}", .. interfaces]);

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30), CancellationToken.None), process.Log);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains(message, process.StandardError, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_config_file_key_Interfaces_is_checked_the_same_way()
    {
        var config = Path.Combine(_workDirectory, "mediarelay.json");
        await File.WriteAllTextAsync(config, """{ "MediaRelay": { "Interfaces": [ "pub/127.0.0.1", "pub/127.0.0.3" ] } }""");

        using var process = RelayProcess.Start(_workDirectory, ["run", "--config", config, "--ng-listen", $"127.0.0.1:{UdpPorts.FreePort()}"]);

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30), CancellationToken.None), process.Log);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("mediarelay: configuration error: interface name 'pub' is given twice for IPv4", process.StandardError, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_offer_naming_an_unknown_interface_is_refused_with_the_interfaces_the_relay_has_and_takes_no_port()
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 20);
        using var process = RelayProcess.Start(_workDirectory,
        [
            "run", "--ng-listen", endpoints.Ng.ToString(),
            "--port-min", endpoints.PortMin.ToString(CultureInfo.InvariantCulture), "--port-max", endpoints.PortMax.ToString(CultureInfo.InvariantCulture),
            "--interface", "internal/127.0.0.1", "--interface", "external/127.0.0.2",
        ]);
        using var ng = new NgClient(endpoints.Ng);
        await RelayProcess.WaitForNgAsync(ng, process);
        var offer = new BencodeDictionary
        {
            { "call-id", "typo" }, { "command", "offer" }, { "from-tag", "a" }, { "sdp", NgCalls.Sdp("127.0.0.1", 30000) },
        };

        var direction = await ng.SendAsync(NgCalls.Sorted(offer, new BencodeDictionary { { "direction", new BencodeList { "internal", "externl" } } }),
            TimeSpan.FromSeconds(5), CancellationToken.None);
        var from = await ng.SendAsync(NgCalls.Sorted(offer, new BencodeDictionary { { "from-interface", "dmz" } }),
            TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(("error", "Unknown interface 'externl' (this relay has: internal, external)"),
            (direction.GetString("result"), direction.GetString("error-reason")));
        Assert.Equal(("error", "Unknown interface 'dmz' (this relay has: internal, external)"),
            (from.GetString("result"), from.GetString("error-reason")));
        Assert.Empty(await ng.ListCallsAsync(CancellationToken.None));
        Assert.Empty(UdpPorts.BoundInRangeBy(process.Id, endpoints.PortMin, endpoints.PortMax));
    }

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);
}
