using System.Globalization;
using MediaRelay.EndToEnd.Tests.Infrastructure;

namespace MediaRelay.EndToEnd.Tests.Relays;

/// <summary>
/// The real rtpengine (Debian package rtpengine-daemon) in user space only: no kernel table, no config file, no
/// delayed delete (so a deleted call frees its ports at once, as the tests expect of any relay).
/// </summary>
internal sealed class RtpengineDriver(RelayEndpoints endpoints, string workDirectory)
    : RelayDriver(endpoints, workDirectory)
{
    public override string Name => "rtpengine";

    protected override ManagedProcess Launch() => ManagedProcess.Start(
        Name,
        Environment.GetEnvironmentVariable("RTPENGINE") ?? "rtpengine",
        [
            "--config-file=none",
            "--table=-1",
            "--interface=127.0.0.1",
            "--listen-ng=" + Endpoints.Ng,
            "--port-min=" + Endpoints.PortMin.ToString(CultureInfo.InvariantCulture),
            "--port-max=" + Endpoints.PortMax.ToString(CultureInfo.InvariantCulture),
            "--delete-delay=0",
            "--timeout=60",
            "--foreground",
            "--log-stderr",
            "--log-level=6",
        ],
        WorkDirectory);
}
