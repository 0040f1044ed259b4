using MediaRelay.EndToEnd.Tests.Infrastructure;

namespace MediaRelay.EndToEnd.Tests.Sip;

/// <summary>
/// Where the call harness runs its parties and which addresses they use: by default (<see cref="Loopback"/>) all on
/// 127.0.0.1 in the test's own network namespace; or the sipp caller, Kamailio (with the relay) and the sipp callee
/// each in a namespace the test made. Kamailio listens on every address in <see cref="ProxyListen"/> (mhomed, so
/// it sends from the one facing the destination); the caller sends to <see cref="ProxyAddress"/>.
/// </summary>
internal sealed record CallNetwork
{
    public static CallNetwork Loopback { get; } = new();

    public string CallerAddress { get; init; } = "127.0.0.1";

    public string CalleeAddress { get; init; } = "127.0.0.1";

    public string ProxyAddress { get; init; } = "127.0.0.1";

    public IReadOnlyList<string> ProxyListen { get; init; } = ["127.0.0.1"];

    public NetworkNamespace? CallerNamespace { get; init; }

    public NetworkNamespace? CalleeNamespace { get; init; }

    /// <summary>Kamailio's namespace; the relay's ng socket (127.0.0.1) must be reachable from it.</summary>
    public NetworkNamespace? ProxyNamespace { get; init; }

    public bool OnLoopback => CallerNamespace is null && CalleeNamespace is null && ProxyNamespace is null;

    /// <summary>Starts <paramref name="fileName"/> inside <paramref name="ns"/> (`ip netns exec`, which execs: the process id is the program's).</summary>
    public static ManagedProcess Start(NetworkNamespace? ns, string name, string fileName, IEnumerable<string> arguments, string workDirectory) =>
        ns is null
            ? ManagedProcess.Start(name, fileName, arguments, workDirectory)
            : ManagedProcess.Start(name, "ip", ["netns", "exec", ns.Name, fileName, .. arguments], workDirectory);
}
