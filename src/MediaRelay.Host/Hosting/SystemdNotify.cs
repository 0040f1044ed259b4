using System.Net.Sockets;
using System.Text;
using MediaRelay.Control.Ng;
using MediaRelay.Core.Api;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Host.Hosting;

/// <summary>
/// sd_notify(3) without libsystemd: under a systemd unit of Type=notify, systemd sets NOTIFY_SOCKET to a UNIX
/// datagram socket (a path, or an abstract name written with a leading '@') and waits for "READY=1" before it calls
/// the service started. Each state is one datagram of "KEY=VALUE" lines. Without NOTIFY_SOCKET every call does nothing.
/// </summary>
internal sealed class SystemdNotify : IDisposable
{
    public const string Variable = "NOTIFY_SOCKET";

    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _target;

    public SystemdNotify()
        : this(Environment.GetEnvironmentVariable(Variable))
    {
    }

    public SystemdNotify(string? address)
    {
        Address = string.IsNullOrEmpty(address) ? null : address;
        if (Address is null)
        {
            return;
        }

        if (Address[0] is not ('/' or '@') || !OperatingSystem.IsLinux())
        {
            // systemd 253+ may also give "vsock:CID:PORT", for a service in a virtual machine; not for this relay.
            Unsupported = true;
            return;
        }

        // The kernel's abstract namespace: a name whose first byte is NUL, which '@' stands for.
        _target = new UnixDomainSocketEndPoint(Address[0] == '@' ? "\0" + Address[1..] : Address);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>NOTIFY_SOCKET as given, or null when the relay does not run under a Type=notify unit.</summary>
    public string? Address { get; }

    /// <summary>NOTIFY_SOCKET names something other than a UNIX socket (nothing is sent).</summary>
    public bool Unsupported { get; }

    public bool Enabled => _socket is not null;

    /// <summary>Sends one state datagram, e.g. "READY=1\nSTATUS=..."; null when sent or off, else why it was not.</summary>
    public string? Notify(string state)
    {
        if (_socket is null || _target is null)
        {
            return null;
        }

        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _target);
            return null;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode.ToString();
        }
        catch (ObjectDisposedException)
        {
            return "closed";
        }
    }

    public void Dispose() => _socket?.Dispose();
}

/// <summary>
/// Tells systemd the relay is ready (READY=1) once every listener is up: registered after <see cref="RelayService"/>
/// (ng, MediaProxy, rtpproxy, management) and <see cref="DrainService"/> (SIGHUP, so that a reload right after start
/// drains instead of killing the process), and the host starts its services one after another in that order. Being
/// the last started, it is the first stopped: STOPPING=1 goes out before the stop ends the sessions.
/// </summary>
internal sealed class SystemdNotifyService(SystemdNotify notify, RelayOptions options, NgOptions ng, ISessionApi sessions,
    ILogger<SystemdNotifyService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (notify.Unsupported)
        {
            HostLog.NotifySocketUnsupported(logger, notify.Address!);
        }

        var status = $"ng on {string.Join(", ", ng.ListenEndPoints.Select(e => e.ToString()))}; media on {options.RelayAddress} ports {options.PortMin}-{options.PortMax}";
        Send("READY=1\nSTATUS=relaying: " + status);
        return Task.CompletedTask;
    }

    /// <summary>STATUS= shown by systemctl status while the relay drains.</summary>
    public void Draining(int calls) => Send($"STATUS=draining: new calls refused, {calls} call(s) running");

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Send($"STOPPING=1\nSTATUS=stopping: ending {sessions.Totals.CurrentSessions} session(s)");
        return Task.CompletedTask;
    }

    private void Send(string state)
    {
        if (!notify.Enabled)
        {
            return;
        }

        if (notify.Notify(state) is { } error)
        {
            HostLog.NotifyFailed(logger, notify.Address!, error);
        }
        else
        {
            HostLog.Notified(logger, state.Replace('\n', ' '));
        }
    }
}
