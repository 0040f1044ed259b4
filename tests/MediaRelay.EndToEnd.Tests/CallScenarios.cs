using System.Globalization;
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

    /// <summary>The Kamailio configurations that drive MediaRelay through the mediaproxy and rtpproxy modules.</summary>
    public static TheoryData<string> ModuleConfigurations { get; } =
        new(nameof(ProxyConfiguration.MediaProxyEngage), nameof(ProxyConfiguration.RtpproxyManage));

    public static ProxyConfiguration Configuration(string name) => name switch
    {
        nameof(ProxyConfiguration.ManageReplaceOrigin) => ProxyConfiguration.ManageReplaceOrigin,
        nameof(ProxyConfiguration.OfferAnswerReplaceOrigin) => ProxyConfiguration.OfferAnswerReplaceOrigin,
        nameof(ProxyConfiguration.ManageIceRemove) => ProxyConfiguration.ManageIceRemove,
        nameof(ProxyConfiguration.MediaProxyEngage) => ProxyConfiguration.MediaProxyEngage,
        nameof(ProxyConfiguration.RtpproxyManage) => ProxyConfiguration.RtpproxyManage,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown proxy configuration"),
    };

    /// <summary>
    /// MediaRelay answering <paramref name="configuration"/>'s module where Kamailio (run in the same work directory)
    /// looks for it, then <paramref name="extraArguments"/>.
    /// </summary>
    public static Func<RelayEndpoints, string, RelayDriver> MediaRelayFor(ProxyConfiguration configuration, params string[] extraArguments) =>
        (endpoints, workDirectory) => new MediaRelayDriver(endpoints, workDirectory, [.. configuration.RelayArguments(endpoints, workDirectory), .. extraArguments]);

    /// <summary>
    /// Calls that talk for <paramref name="mediaMilliseconds"/> and then go silent on both sides without hanging up:
    /// the relay (run with --stream-timeout <paramref name="streamTimeoutSeconds"/>) must time each call's media out
    /// and end its dialog through the proxy, which then sends a BYE to both phones. Checks that each phone got and
    /// answered that BYE, that the media went through the relay while it flowed, that the calls ended by the timeout
    /// (not earlier, not much later), and that nothing is left behind.
    /// </summary>
    public static async Task RunMediaTimeoutAndVerifyAsync(
        ITestOutputHelper output, ProxyConfiguration configuration, int calls, int mediaMilliseconds, int streamTimeoutSeconds)
    {
        var load = new CallLoad(Calls: calls, Concurrent: calls, MediaMilliseconds: mediaMilliseconds, Ending: CallEnding.ProxyByeAfterMediaTimeout);
        var relay = MediaRelayFor(configuration, "--kernel-forwarding", "off", "--stream-timeout", streamTimeoutSeconds.ToString(CultureInfo.InvariantCulture));
        using var harness = new CallHarness(output, relay);
        using var timeout = new CancellationTokenSource(HardTimeout - TimeSpan.FromSeconds(5));
        try
        {
            var result = await harness.RunAsync(configuration, load, timeout.Token).WaitAsync(HardTimeout - TimeSpan.FromSeconds(3));

            // The relay ended every call because its media stopped, and Kamailio accepted each dialog end.
            Assert.Equal(calls, result.RelayEndReasons.Count);
            Assert.All(result.RelayEndReasons, call => Assert.True(call.Value == "no-traffic timeout", $"the relay ended {call.Key} with '{call.Value}', not the media timeout"));
            Assert.True(result.DialogEndReplies.Count == calls, $"Kamailio answered {result.DialogEndReplies.Count} of the relay's {calls} dialog ends");
            Assert.All(result.DialogEndReplies, reply => Assert.True(reply.Contains("\"result\"", StringComparison.Ordinal) && !reply.Contains("\"error\"", StringComparison.Ordinal), $"Kamailio refused a dialog end: {reply}"));

            // Each phone received the proxy's BYE and answered it (both scenarios end with that exchange, and a call
            // that gets no BYE within 20 s fails); the media went through the relay both ways while it flowed.
            Verify(result, load, kernelForwarding: false);

            // Not before the media had been silent for the stream timeout, and promptly after it.
            var earliest = TimeSpan.FromMilliseconds(mediaMilliseconds) + TimeSpan.FromSeconds(streamTimeoutSeconds);
            Assert.True(result.CallerRunTime >= earliest, $"the calls ended after {result.CallerRunTime.TotalSeconds:F1} s, before the media was silent for {streamTimeoutSeconds} s");
            Assert.True(result.CallerRunTime <= earliest + TimeSpan.FromSeconds(8), $"the calls ended only after {result.CallerRunTime.TotalSeconds:F1} s, more than 8 s after the media timeout");
        }
        catch
        {
            harness.WriteLogs();
            throw;
        }
    }

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
