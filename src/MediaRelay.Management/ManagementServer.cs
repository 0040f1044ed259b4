using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Management.Api;
using MediaRelay.Management.Dashboard;
using MediaRelay.Management.Events;
using MediaRelay.Management.Metrics;
using MediaRelay.Management.Sampling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace MediaRelay.Management;

/// <summary>
/// The management listener: a Kestrel server of its own (HTTP/1.1, one address) with the JSON API, the event stream,
/// Prometheus' <c>/metrics</c> and the dashboard. Everything it shows comes from the session API and the counters the
/// relay keeps anyway. Build it before the control protocols start, so it sees every call; start and stop it with
/// the relay.
/// </summary>
public sealed class ManagementServer : IAsyncDisposable
{
    private readonly ManagementOptions _options;
    private readonly ISessionApi _sessions;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly EndedSessions _ended;
    private readonly TrafficRates _rates;
    private readonly EventHub _events;
    private readonly RelayMetrics _metrics;
    private WebApplication? _app;

    public ManagementServer(ManagementOptions options, ISessionApi sessions, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _sessions = sessions;
        _time = time;
        _loggers = loggers;
        Status = new RelayStatus(time);
        _ended = new EndedSessions(sessions);
        _rates = new TrafficRates(sessions, _ended, time);
        _events = new EventHub(sessions, _rates, time);
        _metrics = new RelayMetrics(_rates, _ended, Status, options);
    }

    public RelayStatus Status { get; }

    /// <summary>Where the server listens once started (the port chosen when the options gave 0).</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Binds the listener and starts serving; throws <see cref="IOException"/> when the address is taken.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ManagementServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.AddLogging();
        builder.Services.AddSingleton(_loggers);
        // The relay's own host owns SIGTERM and Ctrl+C; this server stops when the relay stops it.
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(3));
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(_options.Listen);
        });

        var app = builder.Build();
        if (_options.Token is { Length: > 0 } token)
        {
            var bearer = new BearerToken(token);
            app.Use(bearer.InvokeAsync);
        }

        ApiEndpoints.Map(app, _sessions, _rates, Status, _options, _time);
        EventsEndpoint.Map(app, _events);
        app.MapMetrics("/metrics", _metrics.Registry);
        DashboardEndpoints.Map(app);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        EndPoint = address is not null && Uri.TryCreate(address, UriKind.Absolute, out var uri)
            ? new IPEndPoint(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port)
            : _options.Listen;
        _metrics.Requests.Start();
        _rates.Start(TimeSpan.FromSeconds(1));
        ManagementLog.Listening(_loggers.CreateLogger("MediaRelay.Management"), $"http://{EndPoint}/",
            _options.Token is { Length: > 0 } ? "bearer token required" : "no token (loopback only)");
    }

    /// <summary>The relay stops taking calls: the summary says "draining".</summary>
    public void Drain() => Status.Drain();

    /// <summary>Ends the event streams and stops the listener.</summary>
    public async Task StopAsync()
    {
        _rates.Dispose();
        _events.Dispose();
        if (_app is { } app)
        {
            await app.StopAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _metrics.Requests.Dispose();
        _ended.Dispose();
        if (_app is { } app)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    /// <summary>A host lifetime that waits for nothing and listens to no signal.</summary>
    private sealed class PassiveLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
