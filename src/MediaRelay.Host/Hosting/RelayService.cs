using System.Globalization;
using System.Net.Sockets;
using MediaRelay.Control.Ng;
using MediaRelay.Core.Api;
using MediaRelay.Core.Forwarding;
using MediaRelay.Core.Model;
using MediaRelay.Host.Configuration;
using MediaRelay.Transport;
using MediaRelay.Transport.Epoll;
using MediaRelay.Transport.IoUring;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Host.Hosting;

/// <summary>
/// Raises the descriptor limit and gives the media sockets their share of it, starts the ng control listeners and,
/// on SIGTERM, stops them first (no new calls), then ends every session, freeing every port.
/// </summary>
internal sealed class RelayService(SessionManager sessions, NgServer ng, NgOptions ngOptions, ExtraControlServers extra,
    ManagementListener management, RelayOptions options, PacketPath path, KernelQueue kernel, MediaRelaySettings settings,
    ControlListeners listeners, ILogger<RelayService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        HostLog.MediaReady(logger, options.RelayAddress + (options.RelayAddressV6 is null ? "" : " and " + options.RelayAddressV6),
            options.PortMin, options.PortMax, options.StreamTimeout.TotalSeconds, options.OnHoldTimeout.TotalSeconds);
        if (path.IoUringPassedOver is { } passedOver)
        {
            HostLog.IoUringPassedOver(logger, passedOver);
        }

        HostLog.TransportChosen(logger, path.Description);
        if (path.Kernel is { } backend)
        {
            HostLog.KernelForwarding(logger, backend.Description);
        }
        else if (path.KernelUnavailable is { } reason)
        {
            HostLog.KernelForwardingUnavailable(logger, reason);
        }

        // Before the descriptor budget, so that the listener's sockets count among those open at start.
        await management.StartAsync(cancellationToken).ConfigureAwait(false);
        BudgetDescriptors();
        var taken = ReportPortRange();
        WarmUp(taken, cancellationToken);
        try
        {
            ng.Start();
        }
        catch (SocketException e)
        {
            throw new RelayStartException(
                $"cannot listen for ng on {string.Join(", ", ngOptions.ListenEndPoints)}: {e.SocketErrorCode}; " +
                "is another relay (rtpengine, mediarelay) running there? Give another address with --ng-listen", e, exitCode: 2);
        }

        extra.Start();
    }

    /// <summary>
    /// Raises RLIMIT_NOFILE to its hard limit and sets <see cref="RelayOptions.MaxMediaSockets"/> to what is left of it
    /// after the <see cref="DescriptorBudget.Reserve"/>; warns when the port range needs more sockets than that.
    /// Before ng listens, so no offer ever runs without the budget.
    /// </summary>
    private void BudgetDescriptors()
    {
        var limit = DescriptorLimit.RaiseToHard();
        if (limit is null)
        {
            return; // Not Linux: no limit to read, no budget.
        }

        if (limit.RaiseError != 0)
        {
            HostLog.DescriptorLimitNotRaised(logger, limit.Before, limit.Hard, limit.RaiseError);
        }
        else if (limit.Limit > limit.Before)
        {
            HostLog.DescriptorLimitRaised(logger, limit.Before, limit.Limit);
        }

        var open = DescriptorLimit.CountOpen();
        var reserve = DescriptorBudget.Reserve(open, ngOptions.ListenEndPoints.Count);
        var sockets = DescriptorBudget.MediaSockets(limit.Limit, reserve);
        options.MaxMediaSockets = sockets;
        var calls = sockets / DescriptorBudget.SocketsPerCall;
        HostLog.DescriptorBudget(logger, limit.Limit, limit.Hard, reserve, open, DescriptorBudget.Spare, sockets, calls);

        var ports = sessions.Totals.PortsTotal;
        if (ports > sockets)
        {
            // Every interface address takes the same range again.
            var pools = options.EffectiveInterfaces.Count;
            HostLog.DescriptorsShort(logger, options.PortMin, options.PortMax, ports, limit.Limit, sockets, calls,
                ports / DescriptorBudget.SocketsPerCall, ports + reserve, (sockets / pools) & ~1);
        }
    }

    /// <summary>The control path compiled before any control protocol listens (<see cref="ControlWarmUp"/>), unless --warm-up off.</summary>
    private void WarmUp((int PairsTaken, int PortsTaken) taken, CancellationToken cancellationToken)
    {
        if (settings.WarmUp.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var result = ControlWarmUp.Run(options, path.Transport, ngOptions, listeners, taken, TimeSpan.FromSeconds(3), cancellationToken);
        switch (result.End)
        {
            case WarmUpEnd.Failed:
                HostLog.WarmUpFailed(logger, result.Calls, result.Failure ?? "unknown");
                break;
            case WarmUpEnd.TimeLimit:
                HostLog.WarmUpTimeLimit(logger, result.Calls, result.Protocols, result.MethodsCompiled, (long)result.Elapsed.TotalMilliseconds);
                break;
            case WarmUpEnd.Cancelled:
                // The host is stopping before the relay ever listened: nothing to say, and nothing more to start.
                cancellationToken.ThrowIfCancellationRequested();
                break;
            default:
                HostLog.WarmedUp(logger, result.Calls, result.Protocols, result.Rounds, result.MethodsCompiled, (long)result.Elapsed.TotalMilliseconds);
                break;
        }
    }

    /// <summary>Logs how much of the port range is usable now; returns what other programs hold of it (<see cref="PortRangeCheck.Count"/>).</summary>
    private (int PairsTaken, int PortsTaken) ReportPortRange()
    {
        var pairs = PortRangeCheck.Pairs(options);
        var (pairsTaken, portsTaken) = PortRangeCheck.Count(options);
        if (portsTaken == 0)
        {
            HostLog.PortRangeFree(logger, options.PortMin, options.PortMax, pairs, pairs);
        }
        else
        {
            HostLog.PortRangeTaken(logger, options.PortMin, options.PortMax, portsTaken, pairs - pairsTaken, pairs);
        }

        if (PortRangeCheck.EphemeralOverlap(options) is { Ports: > 0 } ephemeral)
        {
            // The sysctl holds one list for every program: the advice keeps what is reserved already.
            var range = options.PortMin.ToString(CultureInfo.InvariantCulture) + "-" + options.PortMax.ToString(CultureInfo.InvariantCulture);
            var list = ephemeral.Reserved.Length == 0 ? range : ephemeral.Reserved + "," + range;
            HostLog.PortRangeEphemeral(logger, options.PortMin, options.PortMax, ephemeral.Ports, ephemeral.Low, ephemeral.High, list);
        }

        return (pairsTaken, portsTaken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        management.Drain();
        await ng.StopAsync().ConfigureAwait(false);
        await extra.StopAsync().ConfigureAwait(false);
        HostLog.Stopping(logger, sessions.Totals.CurrentSessions);
        sessions.Dispose();
        if (kernel.Enabled)
        {
            HostLog.KernelFigures(logger, kernel.Installs, kernel.MeanInstallMicroseconds, kernel.Refused);
        }

        // Removes what the kernel still holds and detaches the program from every interface.
        kernel.Dispose();
        if (path.Transport is EpollTransport epoll)
        {
            HostLog.TransportFigures(logger, epoll.Packets, epoll.Batches, epoll.Wakeups, epoll.Truncated, epoll.SendErrors, epoll.HandlerErrors);
        }
        else if (path.Transport is IoUringTransport uring)
        {
            HostLog.IoUringFigures(logger, uring.Packets, uring.Rounds, uring.Truncated, uring.SendErrors, uring.ReceiveErrors, uring.HandlerErrors);
        }

        (path.Transport as IDisposable)?.Dispose();
        // Last: the event streams have told their clients of every session's end.
        await management.StopAsync().ConfigureAwait(false);
        HostLog.Stopped(logger, sessions.Totals.PortsInUse);
    }
}
