using System.Globalization;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Relays;

namespace MediaRelay.EndToEnd.Tests.Sip;

/// <summary>
/// Kamailio in the foreground (-DD -E) with assets/kamailio.cfg.template filled in: listens on
/// 127.0.0.1:<see cref="SipPort"/> (or a <see cref="CallNetwork"/>'s proxy addresses), forwards new calls to the sipp
/// UAS and drives the relay through the configuration's module: rtpengine (the relay's ng socket), mediaproxy (its
/// UNIX socket; Kamailio's jsonrpcs datagram socket at <see cref="RpcSocket"/> then takes the relay's dlg.end_dlg) or
/// rtpproxy (its UDP socket); the relay's sockets are on 127.0.0.1 (or the UNIX socket) of Kamailio's namespace.
/// Needs no root: the port is above 1024 and the runtime directory is the test's own.
/// </summary>
internal sealed class KamailioProxy : IDisposable
{
    private static readonly string[] ModuleDirectories =
    [
        "/usr/lib/x86_64-linux-gnu/kamailio/modules",
        "/usr/lib/aarch64-linux-gnu/kamailio/modules",
        "/usr/lib64/kamailio/modules",
        "/usr/lib/kamailio/modules",
        "/usr/local/lib64/kamailio/modules",
        "/usr/local/lib/kamailio/modules",
    ];

    private readonly ManagedProcess _process;

    private KamailioProxy(int sipPort, ManagedProcess process)
    {
        SipPort = sipPort;
        _process = process;
    }

    public int SipPort { get; }

    public string Log => _process.Log;

    public bool HasExited => _process.HasExited;

    /// <summary>Kamailio's jsonrpcs datagram socket (a UNIX socket) when it runs in <paramref name="workDirectory"/>.</summary>
    public static string RpcSocket(string workDirectory) => Path.Combine(workDirectory, "kamailio-rpc.sock");

    public static async Task<KamailioProxy> StartAsync(
        string workDirectory, int uasPort, RelayEndpoints relay, ProxyConfiguration configuration, CancellationToken cancellationToken,
        CallNetwork? network = null)
    {
        network ??= CallNetwork.Loopback;
        var sipPort = UdpPorts.FreePort();
        var module = configuration.Module switch
        {
            ProxyModule.MediaProxy => "mediaproxy",
            ProxyModule.Rtpproxy => "rtpproxy",
            _ => "rtpengine",
        };
        var modules = Environment.GetEnvironmentVariable("KAMAILIO_MODULES")
            ?? ModuleDirectories.FirstOrDefault(d => File.Exists(Path.Combine(d, module + ".so")))
            ?? throw new InvalidOperationException($"Kamailio's {module}.so not found; run .ci/install-deps.sh or set KAMAILIO_MODULES");

        var config = Assets.Fill(
            "kamailio.cfg.template",
            new Dictionary<string, string>
            {
                // More than one address: mhomed, so a request leaves from the address facing its destination.
                ["LISTEN"] = (network.ProxyListen.Count > 1 ? "mhomed=1\n" : "")
                    + string.Join('\n', network.ProxyListen.Select(a => $"listen=udp:{a}:{sipPort.ToString(CultureInfo.InvariantCulture)}")),
                ["UAS_ADDRESS"] = network.CalleeAddress,
                ["UAS_PORT"] = uasPort.ToString(CultureInfo.InvariantCulture),
                ["NG_PORT"] = relay.Ng.Port.ToString(CultureInfo.InvariantCulture),
                ["MEDIAPROXY_SOCKET"] = relay.MediaProxySocket ?? "(none)",
                ["RPC_SOCKET"] = RpcSocket(workDirectory),
                ["RTPPROXY_PORT"] = relay.Rtpproxy.Port.ToString(CultureInfo.InvariantCulture),
                ["FLAGS"] = configuration.Flags,
                ["MODULE_PATH"] = modules,
            });
        var configPath = Path.Combine(workDirectory, "kamailio.cfg");
        await File.WriteAllTextAsync(configPath, config, cancellationToken);
        var runDirectory = Directory.CreateDirectory(Path.Combine(workDirectory, "kamailio-run")).FullName;

        var process = CallNetwork.Start(
            network.ProxyNamespace,
            "kamailio",
            Environment.GetEnvironmentVariable("KAMAILIO") ?? "kamailio",
            [
                "-f", configPath,
                "-DD", // stay in the foreground, still fork the SIP workers
                "-E", // log to stderr
                "-Y", runDirectory,
                "-w", workDirectory,
                "-m", "64",
                "-M", "8",
                "-A", "WITH_" + module.ToUpperInvariant(),
                "-A", configuration.Control == RelayControl.Manage ? "RELAY_MANAGE" : "RELAY_OFFER_ANSWER",
            ],
            workDirectory);
        var proxy = new KamailioProxy(sipPort, process);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                // Read the exit code and the log before disposing: a disposed Process has neither.
                var failure = $"kamailio exited with code {process.ExitCode} at start:\n{process.Log}";
                proxy.Dispose();
                throw new InvalidOperationException(failure);
            }

            // Ready when its SIP socket is bound and the relay is reachable: rtpengine and rtpproxy ping it from every
            // worker at start and log this line; mediaproxy's workers connect at start and log only a failure, and
            // the jsonrpcs socket the relay ends dialogs through must be there.
            var relayReady = configuration.Module == ProxyModule.MediaProxy
                ? File.Exists(RpcSocket(workDirectory))
                : process.Log.Contains("support for it enabled", StringComparison.Ordinal);
            if (UdpPorts.BoundInRangeBy(process.Id, sipPort, sipPort).Count == 1 && relayReady)
            {
                return proxy;
            }

            await Task.Delay(100, cancellationToken);
        }

        proxy.Dispose();
        throw new TimeoutException($"kamailio did not bind {network.ProxyAddress}:{sipPort} and reach the relay within 15 s:\n{process.Log}");
    }

    public void Dispose() => _process.Dispose();
}
