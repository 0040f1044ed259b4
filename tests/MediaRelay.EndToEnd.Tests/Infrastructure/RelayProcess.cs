using System.Globalization;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.EndToEnd.Tests.Relays;

namespace MediaRelay.EndToEnd.Tests.Infrastructure;

/// <summary>The built `mediarelay` executable run as a child process, as the process tests drive it.</summary>
internal static class RelayProcess
{
    /// <summary>
    /// Starts `dotnet mediarelay.dll ARGUMENTS` in <paramref name="workDirectory"/>; with a <paramref name="launcher"/>
    /// (e.g. prlimit and its options, ending in "--") the launcher runs it, in the same process (it execs). A
    /// <paramref name="lineDelay"/> reads its output that much slower per line.
    /// </summary>
    public static ManagedProcess Start(string workDirectory, IEnumerable<string> arguments, IReadOnlyList<string>? launcher = null,
        TimeSpan lineDelay = default)
    {
        var assembly = Path.Combine(AppContext.BaseDirectory, "mediarelay.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return launcher is { Count: > 0 }
            ? ManagedProcess.Start("mediarelay", launcher[0], [.. launcher.Skip(1), dotnet, assembly, .. arguments], workDirectory, lineDelay: lineDelay)
            : ManagedProcess.Start("mediarelay", dotnet, [assembly, .. arguments], workDirectory, lineDelay: lineDelay);
    }

    /// <summary>`dotnet mediarelay.dll ARGUMENTS` inside network namespace <paramref name="ns"/> (`ip netns exec`, which execs: one process).</summary>
    public static ManagedProcess StartIn(NetworkNamespace ns, string workDirectory, IEnumerable<string> arguments)
    {
        var assembly = Path.Combine(AppContext.BaseDirectory, "mediarelay.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return ManagedProcess.Start("mediarelay", "ip", ["netns", "exec", ns.Name, dotnet, assembly, .. arguments], workDirectory);
    }

    /// <summary>`run` on 127.0.0.1 with the endpoints' ng socket and port range, then <paramref name="extra"/>.</summary>
    public static string[] RunOn(RelayEndpoints endpoints, params string[] extra) =>
    [
        "run", "--relay-address", "127.0.0.1", "--ng-listen", endpoints.Ng.ToString(),
        "--port-min", endpoints.PortMin.ToString(CultureInfo.InvariantCulture),
        "--port-max", endpoints.PortMax.ToString(CultureInfo.InvariantCulture), .. extra,
    ];

    /// <summary>Waits up to 10 s for <paramref name="text"/> in the process's log; fails the test, with the log, if it never comes.</summary>
    public static async Task WaitForLogAsync(ManagedProcess process, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!process.Log.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"'{text}' never logged:\n{process.Log}");
            await Task.Delay(50);
        }
    }

    public static async Task WaitForNgAsync(NgClient ng, ManagedProcess process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await ng.PingAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None))
        {
            Assert.True(DateTime.UtcNow < deadline && !process.HasExited, process.Log);
        }
    }
}
