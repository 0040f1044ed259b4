using System.Globalization;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;

namespace MediaRelay.EndToEnd.Tests.Relays;

/// <summary>
/// The relay under test: the `mediarelay` executable built from src/MediaRelay.Host, which the project reference
/// copies next to this test assembly, run as `dotnet mediarelay.dll run ...`, with <paramref name="extraArguments"/>
/// after the endpoints' settings; inside <see cref="Namespace"/> when one is set, on the addresses of
/// <see cref="AddressArguments"/> (127.0.0.1 by default).
/// </summary>
internal sealed class MediaRelayDriver(RelayEndpoints endpoints, string workDirectory, params string[] extraArguments)
    : RelayDriver(endpoints, workDirectory)
{
    public override string Name => "mediarelay";

    /// <summary>The network namespace the relay runs in; null for the test's own.</summary>
    public NetworkNamespace? Namespace { get; init; }

    /// <summary>Where media is bound and what SDP says: --relay-address 127.0.0.1, or --interface options.</summary>
    public IReadOnlyList<string> AddressArguments { get; init; } = ["--relay-address", "127.0.0.1"];

    public override NgClient CreateNgClient() => Namespace is { } ns ? ns.Enter(() => new NgClient(Endpoints.Ng)) : base.CreateNgClient();

    protected override ManagedProcess Launch()
    {
        var assembly = Path.Combine(AppContext.BaseDirectory, "mediarelay.dll");
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException("mediarelay.dll is not next to the test assembly; build src/MediaRelay.Host", assembly);
        }

        // `dotnet test` tells children which host it runs on; fall back to the one on PATH.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return Sip.CallNetwork.Start(
            Namespace,
            Name,
            dotnet,
            [
                assembly,
                "run",
                .. AddressArguments,
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
