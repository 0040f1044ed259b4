using System.Runtime.InteropServices;
using MediaRelay.Core.Api;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Host.Hosting;

/// <summary>
/// Graceful drain, as MediaProxy's relay does on SIGHUP: new calls are refused (each protocol answers as its proxies
/// expect: ng "load limit" or an error, rtpproxy E99, MediaProxy error), running calls keep their media, and the
/// process exits 0 when the last call has ended, or when <see cref="DrainOptions.Timeout"/> runs out (the calls
/// left then end as "shutdown"). SIGTERM stays the fast stop.
/// </summary>
internal sealed class DrainService(ISessionApi sessions, DrainOptions options, IHostApplicationLifetime lifetime, TimeProvider time,
    SystemdNotifyService systemd, ILogger<DrainService> logger) : IHostedService, IDisposable
{
    private PosixSignalRegistration? _sighup;
    private ITimer? _watch;
    private DateTimeOffset _deadline = DateTimeOffset.MaxValue;
    private int _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                // Handled: the default action of SIGHUP would end the process.
                context.Cancel = true;
                Drain();
            });
        }

        // A drain started another way (the management API's POST /api/drain, `mediarelay drain`) arrives as the
        // session API's event: nothing polls for it.
        sessions.DrainStarted += Drain;
        if (sessions.Draining)
        {
            Drain();
        }

        return Task.CompletedTask;
    }

    /// <summary>Starts draining (idempotent) and watches for the last call.</summary>
    public void Drain()
    {
        lock (this)
        {
            if (_watch is not null)
            {
                return;
            }

            _watch = time.CreateTimer(_ => Check(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        sessions.StartDraining();
        _deadline = options.Timeout > TimeSpan.Zero ? time.GetUtcNow() + options.Timeout : DateTimeOffset.MaxValue;
        HostLog.Draining(logger, sessions.Totals.CurrentSessions, options.Timeout > TimeSpan.Zero ? $"{options.Timeout.TotalSeconds:F0} s" : "no limit");
        systemd.Draining(sessions.Totals.CurrentSessions);
        _watch.Change(TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    private void Check()
    {
        var running = sessions.Totals.CurrentSessions;
        var expired = time.GetUtcNow() >= _deadline;
        if ((running == 0 || expired) && Interlocked.Exchange(ref _stopping, 1) == 0)
        {
            if (running == 0)
            {
                HostLog.Drained(logger);
            }
            else
            {
                HostLog.DrainTimedOut(logger, running);
            }

            lifetime.StopApplication();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        sessions.DrainStarted -= Drain;
        _sighup?.Dispose();
        _watch?.Dispose();
    }
}

/// <summary>Drain settings.</summary>
internal sealed class DrainOptions
{
    /// <summary>How long a drain waits for the last call; zero waits for ever.</summary>
    public TimeSpan Timeout { get; init; }
}
