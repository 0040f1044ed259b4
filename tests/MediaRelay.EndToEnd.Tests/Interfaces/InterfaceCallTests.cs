using MediaRelay.EndToEnd.Tests.Kernel;
using MediaRelay.EndToEnd.Tests.Relays;
using MediaRelay.EndToEnd.Tests.Sip;
using Xunit.Abstractions;

namespace MediaRelay.EndToEnd.Tests.Interfaces;

/// <summary>
/// Issue 14 acceptance with real SIP: the sipp caller in network A, the sipp callee in network B, which reach each
/// other in no way (no route, no forwarding); Kamailio and the relay in R, which has a leg in each. Kamailio asks for
/// rtpengine_manage("direction=internal direction=external replace-origin replace-session-connection"): a phone
/// reaches the relay only if its SDP names the relay's address on its own network.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class InterfaceCallTests(ITestOutputHelper output)
{
    [NamespaceTheory(Timeout = 60_000)]
    [InlineData("off")]
    [InlineData("on")]
    public async Task Calls_between_two_networks_through_kamailio_relay_rtp_both_ways_and_leave_nothing_behind(string kernelForwarding)
    {
        using var net = KernelTopology.Create();
        net.Isolate();
        var network = new CallNetwork
        {
            CallerNamespace = net.A,
            CallerAddress = "198.51.100.10",
            ProxyNamespace = net.R,
            ProxyAddress = "198.51.100.1",
            ProxyListen = ["198.51.100.1", "192.0.2.1"],
            CalleeNamespace = net.B,
            CalleeAddress = "192.0.2.10",
        };

        await CallScenarios.RunAndVerifyAsync(
            output,
            (endpoints, workDirectory) => new MediaRelayDriver(endpoints, workDirectory, "--kernel-forwarding", kernelForwarding)
            {
                Namespace = net.R,
                AddressArguments = ["--interface", "internal/198.51.100.1", "--interface", "external/192.0.2.1"],
            },
            ProxyConfiguration.ManageInternalToExternal,
            kernelForwarding: kernelForwarding == "on",
            network);
    }
}
