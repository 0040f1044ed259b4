using System.Globalization;
using MediaRelay.EndToEnd.Tests.Infrastructure;

namespace MediaRelay.EndToEnd.Tests.Relays;

/// <summary>
/// The relay under test: the `mediarelay` executable built from src/MediaRelay.Host, which the project reference
/// copies next to this test assembly, run as `dotnet mediarelay.dll run ...`, with <paramref name="extraArguments"/>
/// after the endpoints' settings.
/// </summary>
internal sealed class MediaRelayDriver(RelayEndpoints endpoints, string workDirectory, params string[] extraArguments)
    : RelayDriver(endpoints, workDirectory)
{
    public override string Name => "mediarelay";

    protected override ManagedProcess Launch()
    {
        var assembly = Path.Combine(AppContext.BaseDirectory, "mediarelay.dll");
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException("mediarelay.dll is not next to the test assembly; build src/MediaRelay.Host", assembly);
        }

        // `dotnet test` tells children which host it runs on; fall back to the one on PATH.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return ManagedProcess.Start(
            Name,
            dotnet,
            [
                assembly,
                "run",
                "--relay-address", "127.0.0.1",
                "--port-min", Endpoints.PortMin.ToString(CultureInfo.InvariantCulture),
                "--port-max", Endpoints.PortMax.ToString(CultureInfo.InvariantCulture),
                "--ng-listen", Endpoints.Ng.ToString(),
                // A BYE must free the call at once (rtpengine's 30 s default would keep it listed), as for rtpengine.
                "--delete-delay", "0",
                .. extraArguments,
            ],
            WorkDirectory);
    }
}
