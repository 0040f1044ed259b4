using MediaRelay.EndToEnd.Tests.Relays;
using Xunit.Abstractions;

namespace MediaRelay.EndToEnd.Tests;

/// <summary>
/// Harness self-check: the same scenarios with the real rtpengine as the relay. When these pass and the
/// MediaRelay tests fail, the fault is in the relay, not in Kamailio, sipp or the harness. Runs only when
/// MEDIARELAY_E2E_RTPENGINE=1 (rtpengine-daemon installed), so the default suite tests MediaRelay alone.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RtpengineHarnessTests(ITestOutputHelper output)
{
    [RtpengineTheory(Timeout = 90_000)]
    [MemberData(nameof(Configurations))]
    public Task Harness_self_check_with_rtpengine(string configuration) =>
        CallScenarios.RunAndVerifyAsync(
            output,
            (endpoints, workDirectory) => new RtpengineDriver(endpoints, workDirectory),
            CallScenarios.Configuration(configuration));

    public static TheoryData<string> Configurations => CallScenarios.Configurations;
}

/// <summary>A theory that runs only when MEDIARELAY_E2E_RTPENGINE=1.</summary>
public sealed class RtpengineTheoryAttribute : TheoryAttribute
{
    public const string Variable = "MEDIARELAY_E2E_RTPENGINE";

    public RtpengineTheoryAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            Skip = $"harness self-check against rtpengine; set {Variable}=1 to run it";
        }
    }
}
