using System.Globalization;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;

namespace MediaRelay.EndToEnd.Tests.Relays;

/// <summary>
/// The `mediarelay` executable started directly with the arguments a test chooses (the drivers start it with fixed
/// ones): the executable built from src/MediaRelay.Host, which the project reference copies next to the test assembly.
/// </summary>
internal static class RelayProcess
{
    /// <summary>Starts `dotnet mediarelay.dll ARGUMENTS` in <paramref name="workDirectory"/>; dispose it to kill it.</summary>
    public static ManagedProcess Start(IEnumerable<string> arguments, string workDirectory)
    {
        var assembly = Path.Combine(AppContext.BaseDirectory, "mediarelay.dll");
        // `dotnet test` tells children which host it runs on; fall back to the one on PATH.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return ManagedProcess.Start("mediarelay", dotnet, [assembly, .. arguments], workDirectory);
    }

    /// <summary>`run` on 127.0.0.1 with the endpoints' ng socket and port range, then <paramref name="extra"/>.</summary>
    public static string[] RunOn(RelayEndpoints endpoints, params string[] extra) =>
    [
        "run", "--relay-address", "127.0.0.1", "--ng-listen", endpoints.Ng.ToString(),
        "--port-min", endpoints.PortMin.ToString(CultureInfo.InvariantCulture),
        "--port-max", endpoints.PortMax.ToString(CultureInfo.InvariantCulture), .. extra,
    ];

    /// <summary>Returns once the relay answers an ng ping; fails the test after 20 s or when the process exits.</summary>
    public static async Task WaitForNgAsync(NgClient ng, ManagedProcess process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await ng.PingAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None))
        {
            Assert.True(DateTime.UtcNow < deadline && !process.HasExited, process.Log);
        }
    }
}
