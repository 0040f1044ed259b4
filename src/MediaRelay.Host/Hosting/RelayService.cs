using System.Net.Sockets;
using MediaRelay.Control.Ng;
using MediaRelay.Core.Api;
using MediaRelay.Core.Forwarding;
using MediaRelay.Core.Model;
using MediaRelay.Transport.Epoll;
using MediaRelay.Transport.IoUring;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Host.Hosting;

/// <summary>
/// Starts the ng control listeners and, on SIGTERM, stops them first (no new calls), then ends every session,
/// freeing every port.
/// </summary>
internal sealed class RelayService(SessionManager sessions, NgServer ng, NgDispatcher dispatcher, NgOptions ngOptions,
    RelayOptions options, IPacketTransport transport, KernelQueue kernel, ILogger<RelayService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        HostLog.MediaReady(logger, options.RelayAddress + (options.RelayAddressV6 is null ? "" : " and " + options.RelayAddressV6),
            options.PortMin, options.PortMax, options.StreamTimeout.TotalSeconds, options.OnHoldTimeout.TotalSeconds);
        HostLog.TransportChosen(logger, transport switch
        {
            EpollTransport epoll => $"epoll, {epoll.LoopCount} loop(s)",
            IoUringTransport uring => $"io_uring, {uring.LoopCount} ring(s)",
            _ => "sockets",
        });
        try
        {
            ng.Start();
        }
        catch (SocketException e)
        {
            throw new RelayStartException(
                $"cannot listen for ng on {string.Join(", ", ngOptions.ListenEndPoints)}: {e.SocketErrorCode}; " +
                "is another relay (rtpengine, mediarelay) running there? Give another address with --ng-listen", e);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await ng.StopAsync().ConfigureAwait(false);
        dispatcher.Dispose();
        HostLog.Stopping(logger, sessions.Totals.CurrentSessions);
        sessions.Dispose();
        if (kernel.Enabled)
        {
            HostLog.KernelFigures(logger, kernel.Installs, kernel.MeanInstallMicroseconds, kernel.Refused);
        }

        // Removes what the kernel still holds and detaches the program from every interface.
        kernel.Dispose();
        if (transport is EpollTransport epoll)
        {
            HostLog.TransportFigures(logger, epoll.Packets, epoll.Batches, epoll.Wakeups, epoll.Truncated, epoll.SendErrors, epoll.HandlerErrors);
        }
        else if (transport is IoUringTransport uring)
        {
            HostLog.IoUringFigures(logger, uring.Packets, uring.Rounds, uring.Truncated, uring.SendErrors, uring.ReceiveErrors, uring.HandlerErrors);
        }

        (transport as IDisposable)?.Dispose();
        HostLog.Stopped(logger, sessions.Totals.PortsInUse);
    }
}
