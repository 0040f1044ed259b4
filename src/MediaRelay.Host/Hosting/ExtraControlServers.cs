using System.Net.Sockets;
using MediaRelay.Control.MediaProxy;
using MediaRelay.Control.Rtpproxy;
using MediaRelay.Core.Api;
using MediaRelay.Host.Configuration;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Host.Hosting;

/// <summary>
/// The control protocols besides ng, each on only when configured: MediaProxy's (a UNIX socket) and rtpproxy's
/// (UDP and UNIX sockets). All of them drive the same sessions through the session API.
/// </summary>
internal sealed class ExtraControlServers
{
    private readonly ControlListeners _listeners;
    private readonly ILogger _logger;

    public ExtraControlServers(ControlListeners listeners, ISessionApi sessions, RelayOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        _listeners = listeners;
        _logger = loggers.CreateLogger("MediaRelay.Host");
        if (listeners.MediaProxySocket is { } path)
        {
            var logger = loggers.CreateLogger("MediaRelay.MediaProxy");
            var handler = new MediaProxyHandler(sessions, options.EffectiveInterfaces[0].Advertise, time, logger);
            var ender = listeners.DialogEnd is { } target ? new DialogEnder(target, logger) : null;
            MediaProxy = new MediaProxyServer(path, handler, ender, logger);
        }

        if (listeners.RtpproxyUdp.Count > 0 || listeners.RtpproxyUnix.Count > 0)
        {
            var logger = loggers.CreateLogger("MediaRelay.Rtpproxy");
            var handler = new RtpproxyHandler(sessions, options.StreamTimeout, logger);
            Rtpproxy = new RtpproxyServer(handler, listeners.RtpproxyUdp, listeners.RtpproxyUnix, time, logger);
        }
    }

    public MediaProxyServer? MediaProxy { get; }

    public RtpproxyServer? Rtpproxy { get; }

    /// <summary>Starts every configured listener; a listener that cannot start stops the relay with the reason.</summary>
    public void Start()
    {
        try
        {
            MediaProxy?.Start();
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            throw new RelayStartException($"cannot listen for mediaproxy on {_listeners.MediaProxySocket}: {e.Message}; give a writable path with --mediaproxy-socket", e, exitCode: 2);
        }

        try
        {
            Rtpproxy?.Start();
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            throw new RelayStartException($"cannot listen for rtpproxy on {string.Join(", ", _listeners.RtpproxyUdp.Select(x => x.ToString()).Concat(_listeners.RtpproxyUnix))}: {e.Message}; is rtpproxy still running there? Give another address with --rtpproxy-listen", e, exitCode: 2);
        }

        if (MediaProxy is null && Rtpproxy is null)
        {
            HostLog.OnlyNg(_logger);
        }
    }

    public async Task StopAsync()
    {
        if (MediaProxy is not null)
        {
            await MediaProxy.StopAsync().ConfigureAwait(false);
        }

        if (Rtpproxy is not null)
        {
            await Rtpproxy.StopAsync().ConfigureAwait(false);
        }
    }
}
