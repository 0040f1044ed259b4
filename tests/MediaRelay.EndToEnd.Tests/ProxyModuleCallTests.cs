using MediaRelay.EndToEnd.Tests.Sip;
using Xunit.Abstractions;

namespace MediaRelay.EndToEnd.Tests;

/// <summary>
/// Acceptance: real SIP calls from a sipp caller through Kamailio to a sipp callee, with MediaRelay behind
/// Kamailio's mediaproxy module (engage_media_proxy() with the dialog module; MediaProxy's protocol on a UNIX
/// socket) or its rtpproxy module (rtpproxy_manage("co"); rtpproxy's protocol over UDP) instead of rtpengine's.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ProxyModuleCallTests(ITestOutputHelper output)
{
    [Theory(Timeout = 90_000)]
    [MemberData(nameof(ModuleConfigurations))]
    public Task Calls_through_the_kamailio_module_relay_rtp_both_ways_and_leave_nothing_behind(string configuration)
    {
        var proxy = CallScenarios.Configuration(configuration);
        return CallScenarios.RunAndVerifyAsync(output, CallScenarios.MediaRelayFor(proxy, "--kernel-forwarding", "off"), proxy);
    }

    /// <summary>The rtpproxy module's calls with kernel forwarding on (eBPF on lo): the media is counted by the kernel path.</summary>
    [Fact(Timeout = 90_000)]
    public Task Calls_through_the_rtpproxy_module_are_forwarded_by_the_kernel_path() =>
        CallScenarios.RunAndVerifyAsync(
            output,
            CallScenarios.MediaRelayFor(ProxyConfiguration.RtpproxyManage, "--kernel-forwarding", "on"),
            ProxyConfiguration.RtpproxyManage,
            kernelForwarding: true);

    /// <summary>
    /// Two calls talk for 1 s and then keep quiet without hanging up: after a 3 s stream timeout the relay sends
    /// Kamailio dlg.end_dlg over its jsonrpcs datagram socket, and Kamailio's dialog module sends a BYE to both phones.
    /// </summary>
    [Fact(Timeout = 90_000)]
    public Task A_mediaproxy_call_whose_media_stops_is_ended_by_the_relay_with_a_bye_to_both_phones() =>
        CallScenarios.RunMediaTimeoutAndVerifyAsync(output, ProxyConfiguration.MediaProxyEngage, calls: 2, mediaMilliseconds: 1000, streamTimeoutSeconds: 3);

    public static TheoryData<string> ModuleConfigurations => CallScenarios.ModuleConfigurations;
}
