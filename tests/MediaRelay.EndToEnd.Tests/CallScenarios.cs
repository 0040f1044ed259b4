using MediaRelay.EndToEnd.Tests.Relays;
using MediaRelay.EndToEnd.Tests.Sip;
using Xunit.Abstractions;

namespace MediaRelay.EndToEnd.Tests;

/// <summary>The acceptance scenario shared by the MediaRelay tests and the rtpengine harness self-check.</summary>
internal static class CallScenarios
{
    /// <summary>Every test ends within this, processes killed included.</summary>
    public static readonly TimeSpan HardTimeout = TimeSpan.FromSeconds(60);

    public static TheoryData<string> Configurations { get; } =
        new(nameof(ProxyConfiguration.ManageReplaceOrigin), nameof(ProxyConfiguration.OfferAnswerReplaceOrigin), nameof(ProxyConfiguration.ManageIceRemove));

    public static ProxyConfiguration Configuration(string name) => name switch
    {
        nameof(ProxyConfiguration.ManageReplaceOrigin) => ProxyConfiguration.ManageReplaceOrigin,
        nameof(ProxyConfiguration.OfferAnswerReplaceOrigin) => ProxyConfiguration.OfferAnswerReplaceOrigin,
        nameof(ProxyConfiguration.ManageIceRemove) => ProxyConfiguration.ManageIceRemove,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown proxy configuration"),
    };

    /// <summary>
    /// 10 calls, 2 at a time, through Kamailio and the relay, RTP both ways, each ended by BYE; then checks that
    /// media went through the relay both ways and that nothing is left behind. Logs go to the test output on failure.
    /// </summary>
    public static async Task RunAndVerifyAsync(
        ITestOutputHelper output, Func<RelayEndpoints, string, RelayDriver> relayFactory, ProxyConfiguration configuration,
        bool kernelForwarding = false, CallNetwork? network = null)
    {
        var load = new CallLoad(Calls: 10, Concurrent: 2, MediaMilliseconds: 2000);
        using var harness = new CallHarness(output, relayFactory);
        using var timeout = new CancellationTokenSource(HardTimeout - TimeSpan.FromSeconds(5));
        try
        {
            var result = await harness.RunAsync(configuration, load, timeout.Token, network).WaitAsync(HardTimeout - TimeSpan.FromSeconds(3));
            Verify(result, load, kernelForwarding);
        }
        catch
        {
            harness.WriteLogs();
            throw;
        }
    }

    /// <summary>
    /// With <paramref name="kernelForwarding"/>, the relay forwards in the kernel (eBPF at TC ingress of lo): a packet
    /// is rewritten in place, so the capture (a raw IP socket, which sees packets as the stack delivers them) sees
    /// only the phones' first packets towards the relay and every relayed packet towards the phones. The relay's
    /// kernel counters then have to show the media instead.
    /// </summary>
    private static void Verify(CallRunResult result, CallLoad load, bool kernelForwarding)
    {
        if (kernelForwarding)
        {
            VerifyKernel(result, load);
            return;
        }

        // Calls: every call set up through the proxy and relay, and torn down by a BYE that got its 200 OK.
        Assert.True(result.CallerFailedCalls == 0, $"caller saw {result.CallerFailedCalls} failed calls");
        Assert.Equal(load.Calls, result.CallerSuccessfulCalls);
        Assert.True(result.CalleeFailedCalls == 0, $"callee saw {result.CalleeFailedCalls} failed calls (an offer still carrying ICE fails a call when ICE=remove)");
        Assert.Equal(load.Calls, result.CalleeSuccessfulCalls);
        Assert.Equal(0, result.CallerExitCode);

        // Media as sipp saw it: each side received from the relay what the other side sent to the relay.
        // Half the nominal packets is the floor: timers on a busy 2-core machine slip, a relay does not lose half.
        var minimumTotal = (long)load.Calls * load.ExpectedPacketsPerCallDirection / 2;
        Assert.True(result.CallerSentToRelay >= minimumTotal, $"caller sent {result.CallerSentToRelay} RTP packets to the relay, expected >= {minimumTotal}");
        Assert.True(result.CalleeSentToRelay >= minimumTotal, $"callee sent {result.CalleeSentToRelay} RTP packets to the relay, expected >= {minimumTotal}");
        Assert.True(
            result.CalleeReceivedFromRelay >= result.CallerSentToRelay * 95 / 100,
            $"callee received {result.CalleeReceivedFromRelay} RTP packets from the relay of the {result.CallerSentToRelay} the caller sent");
        Assert.True(
            result.CallerReceivedFromRelay >= result.CalleeSentToRelay * 95 / 100,
            $"caller received {result.CallerReceivedFromRelay} RTP packets from the relay of the {result.CalleeSentToRelay} the callee sent");
        Assert.True(result.BypassedRelay == 0, $"{result.BypassedRelay} RTP packets went between caller and callee without the relay");

        // Media as the relay counted it over ng: every call, both directions.
        Assert.Equal(load.Calls, result.RelayCalls.Count);
        // The counters are sampled every ~150 ms while calls run, so the last sample before a BYE can be well short
        // of the final count on a loaded machine; a quarter of the nominal packets (0.5 s of audio) still proves
        // the call's media crossed the relay in that direction.
        var minimumPerCall = load.ExpectedPacketsPerCallDirection / 4;
        Assert.All(result.RelayCalls, call =>
        {
            Assert.True(call.FromCaller >= minimumPerCall, $"relay counted {call.FromCaller} RTP packets from the caller of {call.CallId}, expected >= {minimumPerCall}");
            Assert.True(call.FromCallee >= minimumPerCall, $"relay counted {call.FromCallee} RTP packets from the callee of {call.CallId}, expected >= {minimumPerCall}");
        });

        // Teardown: the BYEs removed every session and closed every media port.
        Assert.True(result.PeakPortsBound > 0, "no port of the relay's media range was ever bound: the relay did not use its range");
        Assert.Empty(result.SessionsLeft);
        Assert.Equal(0L, result.SessionsOwnLeft);
        Assert.Empty(result.PortsLeftBound);
    }

    private static void VerifyKernel(CallRunResult result, CallLoad load)
    {
        Assert.True(result.CallerFailedCalls == 0 && result.CalleeFailedCalls == 0, $"failed calls: caller {result.CallerFailedCalls}, callee {result.CalleeFailedCalls}");
        Assert.Equal(load.Calls, result.CallerSuccessfulCalls);
        Assert.Equal(load.Calls, result.CalleeSuccessfulCalls);

        // The phones received the media from the relay's ports, and nothing went around the relay.
        var minimumTotal = (long)load.Calls * load.ExpectedPacketsPerCallDirection / 2;
        Assert.True(result.CalleeReceivedFromRelay >= minimumTotal, $"callee received {result.CalleeReceivedFromRelay} RTP packets from the relay, expected >= {minimumTotal}");
        Assert.True(result.CallerReceivedFromRelay >= minimumTotal, $"caller received {result.CallerReceivedFromRelay} RTP packets from the relay, expected >= {minimumTotal}");
        Assert.True(result.BypassedRelay == 0, $"{result.BypassedRelay} RTP packets went between caller and callee without the relay");

        // The relay counted every call's media both ways, and the kernel forwarded most of it.
        Assert.Equal(load.Calls, result.RelayCalls.Count);
        var minimumPerCall = load.ExpectedPacketsPerCallDirection / 4;
        Assert.All(result.RelayCalls, call =>
        {
            Assert.True(call.FromCaller >= minimumPerCall && call.FromCallee >= minimumPerCall, $"relay counted {call.FromCaller}/{call.FromCallee} RTP packets for {call.CallId}, expected >= {minimumPerCall} each way");
            Assert.True(call.KernelFromCaller >= minimumPerCall / 2 && call.KernelFromCallee >= minimumPerCall / 2, $"the kernel forwarded {call.KernelFromCaller}/{call.KernelFromCallee} of {call.CallId}'s packets");
        });
        Assert.Empty(result.SessionsLeft);
        Assert.Empty(result.PortsLeftBound);
    }
}
