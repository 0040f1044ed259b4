using MediaRelay.Core.Api;
using MediaRelay.Core.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Host.Hosting;

/// <summary>Starts the control listeners and, on SIGTERM, stops them and ends every session, freeing every port.</summary>
internal sealed class RelayService(SessionManager sessions, RelayOptions options, ILogger<RelayService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        HostLog.MediaReady(logger, options.RelayAddress.ToString() + (options.RelayAddressV6 is null ? "" : " and " + options.RelayAddressV6),
            options.PortMin, options.PortMax, options.StreamTimeout.TotalSeconds, options.OnHoldTimeout.TotalSeconds);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        HostLog.Stopping(logger, sessions.Totals.CurrentSessions);
        sessions.Dispose();
        HostLog.Stopped(logger, sessions.Totals.PortsInUse);
        return Task.CompletedTask;
    }
}
