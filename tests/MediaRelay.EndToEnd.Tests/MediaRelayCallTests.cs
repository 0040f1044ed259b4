using MediaRelay.EndToEnd.Tests.Relays;
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
            (endpoints, workDirectory) => new MediaRelayDriver(endpoints, workDirectory),
            CallScenarios.Configuration(configuration));

    public static TheoryData<string> Configurations => CallScenarios.Configurations;
}
