namespace MediaRelay.Host.Configuration;

/// <summary>
/// The configuration file's shape (section "MediaRelay"), as text so that errors can name the bad value.
/// Every property states its default.
/// </summary>
public sealed class MediaRelaySettings
{
    /// <summary>The address advertised in SDP and bound for media: an IPv4 address, or "auto" for the address of the default route (127.0.0.1 when there is none). Default "auto".</summary>
    public string RelayAddress { get; set; } = "auto";

    /// <summary>An IPv6 address for IPv6 media, or empty for none. Default empty.</summary>
    public string RelayAddressV6 { get; set; } = "";

    /// <summary>
    /// Named interfaces, "NAME/BIND[!ADVERTISED]": media ports are bound on BIND and SDP carries ADVERTISED (a cloud
    /// VM's public address behind 1:1 NAT). The first is the default; the ng flags direction=, from-interface and
    /// to-interface pick others per call. With interfaces given, <see cref="RelayAddress"/> adds an interface named
    /// "default" only when it is set to an address. Default empty: one interface "default" on the relay address.
    /// </summary>
    public string[] Interfaces { get; set; } = [];

    /// <summary>Lowest media port. Default 40000.</summary>
    public int PortMin { get; set; } = 40000;

    /// <summary>Highest media port. Default 59999.</summary>
    public int PortMax { get; set; } = 59999;

    /// <summary>Seconds a freed port pair stays bound for the next call that takes it; 0 closes it at once. Default 2.</summary>
    public double PortReuse { get; set; } = 2;

    /// <summary>Seconds of silence in both directions before a stream ends. Default 90.</summary>
    public double StreamTimeout { get; set; } = 90;

    /// <summary>Seconds of silence before a stream on hold ends. Default 7200.</summary>
    public double OnHoldTimeout { get; set; } = 7200;

    /// <summary>Accept media only from the SDP address and port. Default false.</summary>
    public bool StrictSource { get; set; }

    /// <summary>
    /// Address ranges media is never sent to nor learned from, comma-separated CIDRs ("10.0.0.0/8,192.0.2.7"), for
    /// internal networks such as the Redis or Kamailio hosts. Loopback, unspecified, multicast, broadcast and the
    /// relay's own sockets are always refused. Default empty.
    /// </summary>
    public string DenyMediaTo { get; set; } = "";

    /// <summary>Maximum concurrent sessions; 0 is no limit. Default 0.</summary>
    public int MaxSessions { get; set; }

    /// <summary>Most m-lines in one offer or answer (1-1000); more is refused with "Too many media streams". Default 32.</summary>
    public int MaxStreams { get; set; } = 32;

    /// <summary>The ng listener used when <see cref="NgListen"/> is empty.</summary>
    public const string DefaultNgListen = "127.0.0.1:2223";

    /// <summary>
    /// ng control listeners, "address:port" ("[v6]:port" for IPv6). Default 127.0.0.1:2223 (empty here, because the
    /// configuration binder appends to a non-empty default instead of replacing it).
    /// </summary>
    public string[] NgListen { get; set; } = [];

    /// <summary>
    /// The UNIX stream socket on which MediaProxy's protocol is answered (the proxies' <c>mediaproxy</c> module
    /// connects to it as to MediaProxy's dispatcher), e.g. /run/mediarelay/dispatcher.sock. Default empty: off.
    /// </summary>
    public string MediaProxySocket { get; set; } = "";

    /// <summary>
    /// Where the relay ends a call in the proxy when its media times out, as MediaProxy's dispatcher does:
    /// "kamailio:ADDRESS" (Kamailio's <c>dlg.end_dlg</c> over the jsonrpcs module's datagram socket) or
    /// "opensips:ADDRESS" (OpenSIPS's <c>dlg_end_dlg</c> over mi_datagram), ADDRESS being host:port (UDP) or a
    /// UNIX datagram socket path. Needs <see cref="MediaProxySocket"/>. Default empty: off.
    /// </summary>
    public string MediaProxyDialogEnd { get; set; } = "";

    /// <summary>
    /// Listeners for rtpproxy's protocol (the proxies' <c>rtpproxy</c> module): "udp:address:port" or
    /// "address:port" (datagrams with a cookie), "udp6:[address]:port", or "unix:PATH" (a UNIX stream socket, no
    /// cookie), as the module's <c>rtpproxy_sock</c> names them. Default none: off.
    /// </summary>
    public string[] RtpproxyListen { get; set; } = [];

    /// <summary>
    /// After SIGHUP (drain: new calls refused, running calls go on), the most seconds to wait for the last call
    /// before stopping anyway; 0 waits for ever. Default 0.
    /// </summary>
    public double DrainTimeout { get; set; }

    /// <summary>Seconds a delete waits before removing a call (ng "delete delay"); 0 removes at once. Default 30.</summary>
    public double DeleteDelay { get; set; } = 30;

    /// <summary>The default of <see cref="NgReplyCacheBytes"/>: 64 MiB.</summary>
    public const long DefaultNgReplyCacheBytes = 64L * 1024 * 1024;

    /// <summary>The smallest <see cref="NgReplyCacheBytes"/> accepted: 1 MiB, some dozens of the largest replies.</summary>
    public const long MinNgReplyCacheBytes = 1024 * 1024;

    /// <summary>
    /// Most bytes of ng replies kept for replay to retransmitted requests (at least 1 MiB); the oldest go first.
    /// Default 67108864 (64 MiB).
    /// </summary>
    public long NgReplyCacheBytes { get; set; } = DefaultNgReplyCacheBytes;

    /// <summary>
    /// The packet path: "epoll" (one receive loop per core, recvmmsg/sendmmsg batches, Linux x86-64/arm64),
    /// "io_uring" (one ring per core, multishot receives, Linux 6.1+) or "sockets" (.NET async sockets, any
    /// platform). Default "auto": io_uring where the kernel allows it, else epoll on Linux, else sockets.
    /// </summary>
    public string Transport { get; set; } = "auto";

    /// <summary>
    /// Kernel forwarding of confirmed directions by an eBPF program on TC ingress: "auto" (where the kernel allows
    /// it, else user space with one log line saying why), "on" (refuse to start without it) or "off". Default "auto".
    /// </summary>
    public string KernelForwarding { get; set; } = "auto";

    /// <summary>Receive loops (epoll) or rings (io_uring); 0 means one per core. Default 0.</summary>
    public int Loops { get; set; }

    /// <summary>
    /// SCHED_FIFO priority (1-99) for the packet loops (epoll and io_uring), as rtpengine's scheduling/priority
    /// settings: lower and steadier latency on a busy machine, at the cost of more wake-ups. 0 keeps the normal
    /// scheduler. Needs root or CAP_SYS_NICE. Default 0.
    /// </summary>
    public int RealtimePriority { get; set; }

    /// <summary>SO_RCVBUF of each media socket in bytes; 0 keeps the kernel default. Default 0.</summary>
    public int SocketReceiveBuffer { get; set; }

    /// <summary>The management listener used by default: loopback, so no token is needed.</summary>
    public const string DefaultManagementListen = "127.0.0.1:9900";

    /// <summary>
    /// The management HTTP listener (JSON API, server-sent events, Prometheus /metrics, the dashboard), "address:port"
    /// ("[v6]:port"); empty turns it off. Beyond loopback it needs <see cref="ManagementToken"/>. Default 127.0.0.1:9900.
    /// </summary>
    public string ManagementListen { get; set; } = DefaultManagementListen;

    /// <summary>
    /// The bearer token every management request must carry (Authorization: Bearer TOKEN); required when
    /// <see cref="ManagementListen"/> is not a loopback address. Default empty: none.
    /// </summary>
    public string ManagementToken { get; set; } = "";

    /// <summary>
    /// The console log's format: "simple" (a UTC timestamp, level, category and message on one line), "systemd" (the
    /// message with its syslog priority prefix, "&lt;6&gt;", and no timestamp: the journal adds its own) or "auto"
    /// (systemd when stdout or stderr is the journal, as under a systemd unit, else simple). Default "auto".
    /// </summary>
    public string LogFormat { get; set; } = "auto";

    /// <summary>
    /// Where a record of every ended session goes: "sqlite:PATH", "postgresql:CONNSTRING" (Npgsql's key=value form)
    /// or "off". When the database cannot be written, records wait in the spool and go in once it can. Default
    /// "sqlite:/var/lib/mediarelay/sessions.db".
    /// </summary>
    public string Accounting { get; set; } = global::MediaRelay.Accounting.AccountingTarget.DefaultText;

    /// <summary>
    /// The spool file (JSON lines) where records wait while the database cannot be written. Default empty: beside
    /// the SQLite file (PATH.spool), or /var/lib/mediarelay/accounting.spool for PostgreSQL; where that cannot be
    /// written, under ~/.local/state/mediarelay.
    /// </summary>
    public string AccountingSpool { get; set; } = "";

    /// <summary>
    /// "on": the accounting database is written by a separate process the relay starts (`mediarelay
    /// accounting-worker`), at nice 5, so that it yields the CPU to offers and answers; "off": by a task in the
    /// relay's own process. Default "on".
    /// </summary>
    public string AccountingWorker { get; set; } = "on";

    /// <summary>
    /// "on": before ng (and the other control protocols) listen, the relay takes a few private calls through its whole
    /// control path, so that the JIT has compiled it before the first real offer; "off": the first real calls pay
    /// for that. Default "on".
    /// </summary>
    public string WarmUp { get; set; } = "on";
}
