using MediaRelay.EndToEnd.Tests.Relays;
using MediaRelay.EndToEnd.Tests.Sip;
using Xunit.Abstractions;

namespace MediaRelay.EndToEnd.Tests;

/// <summary>
/// Acceptance: real SIP calls from a sipp caller through Kamailio's rtpengine module to a sipp callee, with the
/// MediaRelay executable as the media relay behind the module's ng socket.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class MediaRelayCallTests(ITestOutputHelper output)
{
    [Theory(Timeout = 90_000)]
    [MemberData(nameof(Configurations))]
    public Task Calls_through_kamailio_relay_rtp_both_ways_and_leave_nothing_behind(string configuration) =>
        CallScenarios.RunAndVerifyAsync(
            output,
            // The user-space path, which the packet capture can follow hop by hop.
            (endpoints, workDirectory) => new MediaRelayDriver(endpoints, workDirectory, "--kernel-forwarding", "off"),
            CallScenarios.Configuration(configuration));

    /// <summary>The same calls with kernel forwarding on (eBPF on lo): the media is counted by the kernel path.</summary>
    [Fact(Timeout = 90_000)]
    public Task Calls_through_kamailio_are_forwarded_by_the_kernel_path() =>
        CallScenarios.RunAndVerifyAsync(
            output,
            (endpoints, workDirectory) => new MediaRelayDriver(endpoints, workDirectory, "--kernel-forwarding", "on"),
            ProxyConfiguration.ManageReplaceOrigin,
            kernelForwarding: true);

    public static TheoryData<string> Configurations => CallScenarios.Configurations;
}
