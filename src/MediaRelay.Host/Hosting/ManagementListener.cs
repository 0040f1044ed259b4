using System.Reflection;
using MediaRelay.Core.Api;
using MediaRelay.Host.Configuration;
using MediaRelay.Management;
using MediaRelay.Transport;
using MediaRelay.Transport.Epoll;
using MediaRelay.Transport.IoUring;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Host.Hosting;

/// <summary>
/// The management listener when configured (<c>--management-listen</c>): built before the control protocols start so
/// that it counts every call, started first and stopped last. A taken default address (another relay on this host)
/// only warns; a taken address that was asked for stops the relay with the reason.
/// </summary>
internal sealed class ManagementListener
{
    private readonly ControlListeners _listeners;
    private readonly ILogger _logger;

    public ManagementListener(ControlListeners listeners, ISessionApi sessions, RelayOptions options, PacketPath path,
        TimeProvider time, ILoggerFactory loggers)
    {
        _listeners = listeners;
        _logger = loggers.CreateLogger("MediaRelay.Host");
        if (listeners.Management is not { } endPoint)
        {
            return;
        }

        Server = new ManagementServer(new ManagementOptions
        {
            Listen = endPoint,
            Token = listeners.ManagementToken,
            Version = Version,
            RelayAddress = options.EffectiveInterfaces[0].Advertise,
            TransportCounters = Counters(path.Transport),
        }, sessions, time, loggers);
    }

    /// <summary>The relay's version (the executable's).</summary>
    public static string Version { get; } =
        Assembly.GetEntryAssembly()?.GetName().Version?.ToString(3) ?? typeof(ManagementListener).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public ManagementServer? Server { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Server is not { } server)
        {
            return;
        }

        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (_listeners.ManagementIsDefault)
        {
            HostLog.ManagementDefaultTaken(_logger, _listeners.Management!.ToString(), e.InnerException?.Message ?? e.Message);
            await server.DisposeAsync().ConfigureAwait(false);
            Server = null;
        }
        catch (IOException e)
        {
            throw new RelayStartException(
                $"cannot listen for management on {_listeners.Management}: {e.InnerException?.Message ?? e.Message}; is another relay running there? " +
                "Give another address with --management-listen, or an empty one (--management-listen \"\") to turn it off", e);
        }
    }

    /// <summary>The relay stops taking calls: the summary says "draining" from now on.</summary>
    public void Drain() => Server?.Drain();

    public async Task StopAsync()
    {
        if (Server is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The packet loops' own figures, read on scrape (the same the stop log line gives).</summary>
    private static Func<IReadOnlyList<KeyValuePair<string, long>>>? Counters(IPacketTransport transport) => transport switch
    {
        EpollTransport epoll => () =>
        [
            new("received", epoll.Packets), new("batches", epoll.Batches), new("wakeups", epoll.Wakeups),
            new("truncated", epoll.Truncated), new("send_errors", epoll.SendErrors), new("handler_errors", epoll.HandlerErrors),
        ],
        IoUringTransport uring => () =>
        [
            new("received", uring.Packets), new("rounds", uring.Rounds), new("truncated", uring.Truncated),
            new("send_errors", uring.SendErrors), new("receive_errors", uring.ReceiveErrors), new("handler_errors", uring.HandlerErrors),
        ],
        _ => null,
    };
}
