using System.Net;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;

namespace MediaRelay.EndToEnd.Tests.Relays;

/// <summary>
/// Where a relay under test listens: its ng control socket, its dedicated media port range, the UDP port for
/// rtpproxy's protocol and the UNIX socket for MediaProxy's (each used only when the relay is started with
/// --rtpproxy-listen or --mediaproxy-socket on it).
/// </summary>
internal sealed record RelayEndpoints(IPEndPoint Ng, int PortMin, int PortMax, IPEndPoint Rtpproxy, string? MediaProxySocket)
{
    /// <summary>
    /// A free ng port, a free rtpproxy port and a free range of <paramref name="mediaPorts"/> ports, all on
    /// 127.0.0.1; with a <paramref name="controlDirectory"/>, MediaProxy's socket in it.
    /// </summary>
    public static RelayEndpoints Allocate(int mediaPorts, string? controlDirectory = null)
    {
        var ng = UdpPorts.FreePort();
        var rtpproxy = UdpPorts.FreePort();
        // Below Linux's default ephemeral range (32768-60999), where any process's port-0 socket may land.
        var portMin = UdpPorts.FreeRange(mediaPorts, evenStart: true, 20000, 29999);
        return new RelayEndpoints(
            new IPEndPoint(IPAddress.Loopback, ng), portMin, portMin + mediaPorts - 1, new IPEndPoint(IPAddress.Loopback, rtpproxy),
            controlDirectory is null ? null : Path.Combine(controlDirectory, "mediaproxy.sock"));
    }

    public bool InMediaRange(int port) => port >= PortMin && port <= PortMax;
}

/// <summary>
/// Starts one media relay that speaks the rtpengine ng protocol and stops it on dispose. The acceptance tests use
/// <see cref="MediaRelayDriver"/>; <see cref="RtpengineDriver"/> runs the real rtpengine to prove the harness.
/// </summary>
internal abstract class RelayDriver : IDisposable
{
    private ManagedProcess? _process;

    protected RelayDriver(RelayEndpoints endpoints, string workDirectory)
    {
        Endpoints = endpoints;
        WorkDirectory = workDirectory;
    }

    public abstract string Name { get; }

    public RelayEndpoints Endpoints { get; }

    protected string WorkDirectory { get; }

    public string Log => _process?.Log ?? "(not started)";

    public bool HasExited => _process?.HasExited ?? true;

    /// <summary>The relay's process id, 0 before it started.</summary>
    public int ProcessId => _process?.Id ?? 0;

    /// <summary>Ports of the media range the relay process itself has bound right now.</summary>
    public IReadOnlyList<int> BoundMediaPorts() =>
        _process is null ? [] : UdpPorts.BoundInRangeBy(_process.Id, Endpoints.PortMin, Endpoints.PortMax);

    /// <summary>A client of the relay's ng socket, made in the relay's network namespace.</summary>
    public virtual NgClient CreateNgClient() => new(Endpoints.Ng);

    /// <summary>Starts the relay and returns once it answers an ng ping.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _process = Launch();
        using var ng = CreateNgClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before answering an ng ping");
            }

            if (await ng.PingAsync(TimeSpan.FromMilliseconds(300), cancellationToken))
            {
                return;
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"{Name} did not answer an ng ping on {Endpoints.Ng} within 20 s");
    }

    public void Dispose()
    {
        _process?.Dispose();
        GC.SuppressFinalize(this);
    }

    protected abstract ManagedProcess Launch();
}
