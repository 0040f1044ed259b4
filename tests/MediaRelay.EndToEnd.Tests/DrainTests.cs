using System.Diagnostics;
using System.Globalization;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.EndToEnd.Tests.Relays;
using MediaRelay.Protocols.Bencode;
using static MediaRelay.EndToEnd.Tests.Infrastructure.RelayProcess;
using static MediaRelay.EndToEnd.Tests.Ng.NgCalls;

namespace MediaRelay.EndToEnd.Tests;

/// <summary>Issue 12: SIGHUP drains the relay: new calls refused, running calls keep their media, exit 0 after the last.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class DrainTests : IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("mediarelay-drain-").FullName;

    [Fact(Timeout = 60_000)]
    public async Task After_sighup_new_offers_are_refused_running_calls_go_on_and_the_relay_exits_0_after_the_last()
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 40);
        using var process = RelayProcess.Start(_workDirectory, RunOn(endpoints, "--kernel-forwarding", "off"));
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);
        using var caller = new UdpPhone();
        using var callee = new UdpPhone();
        var (callerFacing, calleeFacing) = await CallAsync(ng, "running", caller, callee);

        Signal(process.Id, "HUP");
        await WaitForLogAsync(process, "draining (SIGHUP or the management API)");

        // A new call: "load limit" for a proxy that supports it (it tries another relay), else an error that says why.
        var withSupport = await ng.SendAsync(new BencodeDictionary
        {
            { "call-id", "new-1" }, { "command", "offer" }, { "from-tag", "a" }, { "sdp", Sdp("127.0.0.1", 30000) },
            { "supports", new BencodeList { "load limit" } },
        }, TimeSpan.FromSeconds(5), CancellationToken.None);
        var without = await ng.SendAsync(new BencodeDictionary
        {
            { "call-id", "new-2" }, { "command", "offer" }, { "from-tag", "a" }, { "sdp", Sdp("127.0.0.1", 30000) },
        }, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal("load limit", withSupport.GetString("result"));
        Assert.Equal("Relay is draining: new calls are refused", without.GetString("error-reason"));

        // The running call keeps its media both ways, and a re-INVITE still works.
        caller.SendTo(UdpPhone.Rtp(1, 0xA), callerFacing);
        callee.SendTo(UdpPhone.Rtp(1, 0xB), calleeFacing);
        Assert.Equal(UdpPhone.Rtp(1, 0xA), callee.ReceiveOne(TimeSpan.FromSeconds(3))?.Data);
        Assert.Equal(UdpPhone.Rtp(1, 0xB), caller.ReceiveOne(TimeSpan.FromSeconds(3))?.Data);
        Assert.Equal(calleeFacing, await OfferAsync(ng, "running", "a", Sdp("127.0.0.1", caller.EndPoint.Port, "sendonly")));
        Assert.False(process.HasExited);

        await SendOkAsync(ng, new BencodeDictionary { { "call-id", "running" }, { "command", "delete" }, { "delete delay", 0 } });

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(10), CancellationToken.None), "no exit after the last call:\n" + process.Log);
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("drained: the last call ended; stopping", process.Log, StringComparison.Ordinal);
        Assert.Contains("stopped; 0 media port(s) still bound", process.Log, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_drain_limit_stops_the_relay_with_the_calls_left_ended_as_shutdown()
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 40);
        using var process = RelayProcess.Start(_workDirectory, RunOn(endpoints, "--kernel-forwarding", "off", "--drain-timeout", "2"));
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);
        using var caller = new UdpPhone();
        using var callee = new UdpPhone();
        await CallAsync(ng, "lingering", caller, callee);

        Signal(process.Id, "HUP");

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(15), CancellationToken.None), "no exit after the drain limit:\n" + process.Log);
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("drain limit reached with 1 call(s) still running", process.Log, StringComparison.Ordinal);
        Assert.True(process.Log.Contains("session lingering ended: shutdown", StringComparison.Ordinal), process.Log);
    }

    [Fact(Timeout = 60_000)]
    public async Task Mediarelay_drain_drains_through_the_management_api_and_an_idle_relay_exits_0()
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 20);
        var management = FreeTcpPort();
        using var process = RelayProcess.Start(_workDirectory, RunOn(endpoints, "--kernel-forwarding", "off", "--management-listen", management));
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);

        using var drain = RelayProcess.Start(_workDirectory, ["drain", "--management", "http://" + management + "/"]);
        Assert.True(await drain.WaitForExitAsync(TimeSpan.FromSeconds(30), CancellationToken.None), drain.Log);
        Assert.Equal(0, drain.ExitCode);
        Assert.Contains("draining: 0 call(s) still running", drain.Log, StringComparison.Ordinal);

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(10), CancellationToken.None), "the drained relay did not exit:\n" + process.Log);
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("drained: the last call ended; stopping", process.Log, StringComparison.Ordinal);
    }

    private static string FreeTcpPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return "127.0.0.1:" + ((System.Net.IPEndPoint)probe.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
    }

    private static void Signal(int processId, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, processId.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);
}
