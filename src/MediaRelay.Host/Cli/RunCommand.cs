using System.CommandLine;
using System.Globalization;
using MediaRelay.Host.Configuration;
using MediaRelay.Host.Hosting;

namespace MediaRelay.Host.Cli;

/// <summary>`mediarelay run`: starts the relay with the configuration file and command-line overrides.</summary>
internal static class RunCommand
{
    public const string DefaultConfigPath = "/etc/mediarelay/mediarelay.json";

    private static readonly Option<FileInfo?> s_config = new("--config", "-c")
    {
        Description = $"JSON configuration file (section \"MediaRelay\"). Default: {DefaultConfigPath} when it exists, else built-in defaults.",
    };

    private static readonly Option<string?> s_relayAddress = new("--relay-address")
    {
        Description = "Address to bind media ports on and advertise in SDP, or 'auto' (the default route's address). Default auto.",
    };

    private static readonly Option<string?> s_relayAddressV6 = new("--relay-address-v6")
    {
        Description = "IPv6 address for IPv6 media. Default none.",
    };

    private static readonly Option<string[]> s_interface = new("--interface")
    {
        Description = "A named interface NAME/BIND[!ADVERTISED], repeatable: media ports bound on BIND, SDP carrying ADVERTISED (e.g. --interface public/10.0.0.5!203.0.113.10 on a cloud VM behind 1:1 NAT). The first is the default; ng direction=NAME NAME, from-interface and to-interface pick one per call side. A name may hold one IPv4 and one IPv6 address. Default: one interface \"default\" on --relay-address.",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<int?> s_portMin = new("--port-min") { Description = "Lowest media port. Default 40000." };

    private static readonly Option<int?> s_portMax = new("--port-max") { Description = "Highest media port. Default 59999." };

    private static readonly Option<double?> s_portReuse = new("--port-reuse")
    {
        Description = "Seconds a freed port pair keeps its sockets bound, so the next call that takes it skips creating them (what arrives meanwhile is counted and dropped); 0 closes them at once. Ports are reused least recently freed first either way. Default 2.",
    };

    private static readonly Option<double?> s_streamTimeout = new("--stream-timeout")
    {
        Description = "Seconds without media in either direction before a stream ends. Default 90.",
    };

    private static readonly Option<double?> s_onHoldTimeout = new("--on-hold-timeout")
    {
        Description = "Seconds without media before a stream on hold ends. Default 7200.",
    };

    private static readonly Option<string[]> s_ngListen = new("--ng-listen")
    {
        Description = "ng control listener address:port, repeatable ([::1]:2223 for IPv6). Default 127.0.0.1:2223.",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<string?> s_mediaProxySocket = new("--mediaproxy-socket")
    {
        Description = "Answer MediaProxy's protocol (the proxies' mediaproxy module: engage_media_proxy, use_media_proxy) on this UNIX socket, e.g. /run/mediarelay/dispatcher.sock; point the module's mediaproxy_socket at it. Default off.",
    };

    private static readonly Option<string?> s_mediaProxyDialogEnd = new("--mediaproxy-dialog-end")
    {
        Description = "When a call's media times out, end its dialog in the proxy as MediaProxy's dispatcher does: kamailio:ADDRESS (dlg.end_dlg to the jsonrpcs module's datagram socket: a path, or udp:HOST:PORT) or opensips:ADDRESS (dlg_end_dlg to mi_datagram). Needs --mediaproxy-socket. Default off.",
    };

    private static readonly Option<string[]> s_rtpproxyListen = new("--rtpproxy-listen")
    {
        Description = "Answer rtpproxy's protocol (the proxies' rtpproxy module: rtpproxy_manage, rtpproxy_offer/answer) on udp:ADDR:PORT or unix:PATH, as the module's rtpproxy_sock names it; repeatable. Default off.",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<string?> s_managementListen = new("--management-listen")
    {
        Description = "Management HTTP listener ADDR:PORT: JSON API (/api/summary, /api/sessions, /api/events), Prometheus /metrics and the dashboard at /. An empty value turns it off. Beyond loopback it needs --management-token. Default 127.0.0.1:9900.",
    };

    private static readonly Option<string?> s_managementToken = new("--management-token")
    {
        Description = "Bearer token every management request must carry (Authorization: Bearer TOKEN); required when --management-listen is not a loopback address. Default none.",
    };

    private static readonly Option<string?> s_denyMediaTo = new("--deny-media-to")
    {
        Description = "Comma-separated CIDR ranges media is never sent to nor learned from, e.g. the networks of your Redis or Kamailio hosts (10.0.0.0/8,192.0.2.7). Loopback (unless the relay's own address is loopback), 0.0.0.0, multicast, broadcast and the relay's own sockets are always refused. Default none.",
    };

    private static readonly Option<int?> s_maxSessions = new("--max-sessions") { Description = "Maximum concurrent sessions, 0 for no limit. Default 0." };

    private static readonly Option<int?> s_maxStreams = new("--max-streams")
    {
        Description = "Most m-lines in one offer or answer, 1-1000; more is refused with \"Too many media streams\" and takes no port (each stream takes 4 ports). Default 32.",
    };

    private static readonly Option<long?> s_ngReplyCacheBytes = new("--ng-reply-cache-bytes")
    {
        Description = "Most bytes of ng replies kept to answer retransmitted requests (same cookie) without running them again, at least 1048576; the oldest go first. Default 67108864 (64 MiB).",
    };

    private static readonly Option<double?> s_drainTimeout = new("--drain-timeout")
    {
        Description = "SIGHUP drains the relay: new calls are refused (ng 'load limit' to proxies that support it), running calls go on, and the relay exits 0 when the last one ends. This is the most seconds to wait for that; 0 waits for ever. SIGTERM stays the fast stop. Default 0.",
    };

    private static readonly Option<double?> s_deleteDelay = new("--delete-delay") { Description = "Seconds an ng delete waits before removing a call. Default 30." };

    private static readonly Option<bool> s_strictSource = new("--strict-source") { Description = "Accept media only from the address and port in the SDP." };

    private static readonly Option<string?> s_transport = new("--transport")
    {
        Description = "Packet path: epoll (one loop per core, recvmmsg/sendmmsg; Linux), io_uring (one ring per core, multishot receives; Linux 6.1+) or sockets (.NET async sockets, any platform). Default: io_uring where the kernel allows it, else epoll, else sockets.",
    };

    private static readonly Option<string?> s_kernelForwarding = new("--kernel-forwarding")
    {
        Description = "Forward confirmed directions in the kernel with an eBPF program on TC ingress (Linux 5.10+, needs CAP_BPF and CAP_NET_ADMIN, or root): auto (where the kernel allows it, else user space, saying why), on (refuse to start without it) or off. Default auto.",
    };

    private static readonly Option<int?> s_loops = new("--loops") { Description = "Receive loops (epoll) or rings (io_uring), 0 for one per core. Default 0." };

    private static readonly Option<int?> s_realtimePriority = new("--realtime-priority")
    {
        Description = "SCHED_FIFO priority 1-99 for the packet loops (epoll, io_uring): lower latency on a busy machine, more CPU per packet. Needs root or CAP_SYS_NICE. Default 0 (normal scheduler).",
    };

    private static readonly Option<string?> s_accounting = new("--accounting")
    {
        Description = "Record every ended session (call-id, tags, times, end reason, per stream and direction: addresses, packets, bytes, errors, user space/kernel, loss, jitter, MOS, and the whole statistics as JSON): sqlite:PATH, postgresql:CONNSTRING (e.g. \"postgresql:Host=db;Database=mediarelay;Username=relay;Password=secret\") or off. While the database cannot be written, records wait in the spool. `mediarelay accounting` shows them. Default sqlite:/var/lib/mediarelay/sessions.db.",
    };

    private static readonly Option<string?> s_accountingSpool = new("--accounting-spool")
    {
        Description = "The spool file (JSON lines) where records wait while the accounting database cannot be written. Default: beside the SQLite file (PATH.spool), or /var/lib/mediarelay/accounting.spool; where that cannot be written, ~/.local/state/mediarelay/.",
    };

    private static readonly Option<string?> s_accountingWorker = new("--accounting-worker")
    {
        Description = "on: the accounting database is written by a separate process the relay starts, at nice 5, so that it yields the CPU to offers and answers; the relay keeps the calls waiting to be written outside its garbage-collected heap; off: by the relay's own process. Default on.",
    };

    private static readonly Option<string?> s_warmUp = new("--warm-up")
    {
        Description = "on: before the control protocols listen, the relay takes a few private calls through its whole control path, every configured protocol's (they open and close ports of the range, and are never seen in its sessions, statistics or accounting), so that the first real offers do not wait for the JIT; off: start listening at once. Default on.",
    };

    private static readonly Option<string?> s_logLevel = new("--log-level")
    {
        Description = "Trace, Debug, Information, Warning or Error. Default Information.",
    };

    private static readonly Option<string?> s_logFormat = new("--log-format")
    {
        Description = "Console log format: simple (UTC timestamp, level, category, message on one line), systemd (syslog priority prefix such as <6>, no timestamp: the journal keeps its own) or auto (systemd when stdout or stderr is the journal, i.e. JOURNAL_STREAM names it, else simple). Default auto.",
    };

    public static Command Create()
    {
        var command = new Command("run", "Run the media relay in the foreground until SIGTERM or Ctrl+C.")
        {
            s_config, s_relayAddress, s_relayAddressV6, s_interface, s_portMin, s_portMax, s_portReuse, s_streamTimeout, s_onHoldTimeout,
            s_ngListen, s_mediaProxySocket, s_mediaProxyDialogEnd, s_rtpproxyListen, s_managementListen, s_managementToken, s_denyMediaTo, s_maxSessions, s_maxStreams, s_deleteDelay, s_drainTimeout, s_ngReplyCacheBytes, s_strictSource, s_transport, s_kernelForwarding, s_loops, s_realtimePriority, s_accounting, s_accountingSpool, s_accountingWorker, s_warmUp, s_logLevel, s_logFormat,
        };
        command.SetAction((result, token) => RelayHost.RunAsync(ReadConfigPath(result), Overrides(result), token));
        return command;
    }

    private static string? ReadConfigPath(ParseResult result) =>
        result.GetValue(s_config)?.FullName ?? (File.Exists(DefaultConfigPath) ? DefaultConfigPath : null);

    /// <summary>Command-line values as configuration keys; they override the file.</summary>
    private static Dictionary<string, string?> Overrides(ParseResult result)
    {
        var values = new Dictionary<string, string?>();
        void Set(string key, string? value)
        {
            if (value is not null)
            {
                values["MediaRelay:" + key] = value;
            }
        }

        Set(nameof(MediaRelaySettings.RelayAddress), result.GetValue(s_relayAddress));
        Set(nameof(MediaRelaySettings.RelayAddressV6), result.GetValue(s_relayAddressV6));
        Set(nameof(MediaRelaySettings.PortMin), Text(result.GetValue(s_portMin)));
        Set(nameof(MediaRelaySettings.PortMax), Text(result.GetValue(s_portMax)));
        Set(nameof(MediaRelaySettings.PortReuse), Text(result.GetValue(s_portReuse)));
        Set(nameof(MediaRelaySettings.StreamTimeout), Text(result.GetValue(s_streamTimeout)));
        Set(nameof(MediaRelaySettings.OnHoldTimeout), Text(result.GetValue(s_onHoldTimeout)));
        Set(nameof(MediaRelaySettings.DenyMediaTo), result.GetValue(s_denyMediaTo));
        Set(nameof(MediaRelaySettings.MediaProxySocket), result.GetValue(s_mediaProxySocket));
        Set(nameof(MediaRelaySettings.MediaProxyDialogEnd), result.GetValue(s_mediaProxyDialogEnd));
        Set(nameof(MediaRelaySettings.ManagementListen), result.GetValue(s_managementListen));
        Set(nameof(MediaRelaySettings.ManagementToken), result.GetValue(s_managementToken));
        Set(nameof(MediaRelaySettings.MaxSessions), Text(result.GetValue(s_maxSessions)));
        Set(nameof(MediaRelaySettings.MaxStreams), Text(result.GetValue(s_maxStreams)));
        Set(nameof(MediaRelaySettings.DeleteDelay), Text(result.GetValue(s_deleteDelay)));
        Set(nameof(MediaRelaySettings.DrainTimeout), Text(result.GetValue(s_drainTimeout)));
        Set(nameof(MediaRelaySettings.NgReplyCacheBytes), Text(result.GetValue(s_ngReplyCacheBytes)));
        Set(nameof(MediaRelaySettings.Transport), result.GetValue(s_transport));
        Set(nameof(MediaRelaySettings.KernelForwarding), result.GetValue(s_kernelForwarding));
        Set(nameof(MediaRelaySettings.Loops), Text(result.GetValue(s_loops)));
        Set(nameof(MediaRelaySettings.RealtimePriority), Text(result.GetValue(s_realtimePriority)));
        Set(nameof(MediaRelaySettings.LogFormat), result.GetValue(s_logFormat));
        Set(nameof(MediaRelaySettings.Accounting), result.GetValue(s_accounting));
        Set(nameof(MediaRelaySettings.AccountingSpool), result.GetValue(s_accountingSpool));
        Set(nameof(MediaRelaySettings.AccountingWorker), result.GetValue(s_accountingWorker));
        Set(nameof(MediaRelaySettings.WarmUp), result.GetValue(s_warmUp));
        if (result.GetValue(s_strictSource))
        {
            Set(nameof(MediaRelaySettings.StrictSource), "true");
        }

        var ng = result.GetValue(s_ngListen);
        if (ng is { Length: > 0 })
        {
            for (var i = 0; i < ng.Length; i++)
            {
                Set($"{nameof(MediaRelaySettings.NgListen)}:{i}", ng[i]);
            }

        }

        var interfaces = result.GetValue(s_interface);
        if (interfaces is { Length: > 0 })
        {
            for (var i = 0; i < interfaces.Length; i++)
            {
                Set($"{nameof(MediaRelaySettings.Interfaces)}:{i}", interfaces[i]);
            }
        }

        var rtpproxy = result.GetValue(s_rtpproxyListen);
        if (rtpproxy is { Length: > 0 })
        {
            for (var i = 0; i < rtpproxy.Length; i++)
            {
                Set($"{nameof(MediaRelaySettings.RtpproxyListen)}:{i}", rtpproxy[i]);
            }
        }

        var level = result.GetValue(s_logLevel);
        if (level is not null)
        {
            values["Logging:LogLevel:Default"] = level;
        }

        return values;
    }

    private static string? Text(int? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string? Text(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string? Text(double? value) => value?.ToString(CultureInfo.InvariantCulture);
}
