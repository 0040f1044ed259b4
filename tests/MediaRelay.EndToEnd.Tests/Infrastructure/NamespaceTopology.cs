using System.Globalization;
using System.Net;
using MediaRelay.EndToEnd.Tests.Ng;

namespace MediaRelay.EndToEnd.Tests.Infrastructure;

/// <summary>
/// What every multi-namespace test network has in common: its namespaces (names made unique per process and per
/// network), a work directory, the relay process started inside one of them with ng on 127.0.0.1:2223, media ports
/// 40000-40999 and no delete delay, and a clean-up that removes all of it. A subclass wires its veth pairs,
/// addresses and routes in <see cref="Wire"/>; <see cref="Wired"/> removes what was made when wiring fails.
/// </summary>
internal abstract class NamespaceTopology : IDisposable
{
    private const int NgPort = 2223;
    private static int s_next;
    private readonly List<NetworkNamespace> _namespaces = [];
    private ManagedProcess? _relay;

    /// <summary>Creates one namespace per prefix (prefix + a suffix unique to this network) and the work directory.</summary>
    protected NamespaceTopology(string workPrefix, params string[] namespacePrefixes)
    {
        WorkDirectory = Directory.CreateTempSubdirectory(workPrefix).FullName;
        var suffix = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId % 100000}-{Interlocked.Increment(ref s_next)}");
        try
        {
            foreach (var prefix in namespacePrefixes)
            {
                _namespaces.Add(NetworkNamespace.Create(prefix + suffix));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public ManagedProcess Relay => _relay ?? throw new InvalidOperationException("the relay is not started");

    public string Log => _relay?.Log ?? "";

    protected string WorkDirectory { get; }

    /// <summary>The namespaces in the order of the constructor's prefixes.</summary>
    protected NetworkNamespace Namespace(int index) => _namespaces[index];

    /// <summary>Sets addresses on a device, brings it up and turns checksum offload off (a bad rewrite is then dropped).</summary>
    internal static void Link(NetworkNamespace ns, string device, string[] v4, string[] v6)
    {
        foreach (var address in v4)
        {
            ns.Ip("addr", "add", address, "dev", device).Check();
        }

        foreach (var address in v6)
        {
            ns.Ip("-6", "addr", "add", address, "dev", device, "nodad").Check();
        }

        ns.Ip("link", "set", device, "up").Check();
        // veth does not verify UDP checksums while offload is on: turn it off so a bad rewrite is caught.
        ns.Exec("ethtool", "-K", device, "tx", "off", "rx", "off").Check();
    }

    /// <summary>Wires a new network; when that fails, removes what was made and rethrows.</summary>
    protected static T Wired<T>(T topology)
        where T : NamespaceTopology
    {
        try
        {
            topology.Wire();
            return topology;
        }
        catch
        {
            topology.Dispose();
            throw;
        }
    }

    /// <summary>Links, addresses, routes and rules of this network.</summary>
    protected abstract void Wire();

    /// <summary>
    /// Starts `mediarelay run` inside <paramref name="ns"/> with ng on 127.0.0.1:2223, ports 40000-40999, no delete
    /// delay and <paramref name="arguments"/>; returns its ng client (made inside the same namespace) once it answers.
    /// </summary>
    protected async Task<NgClient> StartRelayInAsync(NetworkNamespace ns, IEnumerable<string> arguments)
    {
        _relay?.Dispose();
        _relay = RelayProcess.StartIn(ns, WorkDirectory,
            ["run", "--ng-listen", $"127.0.0.1:{NgPort}", "--port-min", "40000", "--port-max", "40999", "--delete-delay", "0", .. arguments]);
        var ng = ns.Enter(() => new NgClient(new IPEndPoint(IPAddress.Loopback, NgPort)));
        await RelayProcess.WaitForNgAsync(ng, _relay);
        return ng;
    }

    public void Dispose()
    {
        _relay?.Dispose();
        foreach (var ns in _namespaces)
        {
            ns.Dispose();
        }

        if (Directory.Exists(WorkDirectory))
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
    }
}
