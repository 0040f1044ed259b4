using System.Net;

namespace MediaRelay.Control.Ng;

/// <summary>Settings of the ng control server and its commands. Every property states its default.</summary>
public sealed class NgOptions
{
    /// <summary>The UDP endpoints the server listens on; IPv4 and IPv6 alike. Default 127.0.0.1:2223 only.</summary>
    public IList<IPEndPoint> ListenEndPoints { get; set; } = [new IPEndPoint(IPAddress.Loopback, 2223)];

    /// <summary>
    /// How long a deleted call goes on relaying (and answering query) before it is removed, when the delete
    /// request has no <c>delete delay</c> key. Zero removes at once. Default 30 s, as rtpengine.
    /// </summary>
    public TimeSpan DeleteDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether requests count in the relay's request figures (<see cref="ControlRequests"/>, the management
    /// listener's <c>mediarelay_requests_total</c> and latency histogram). False only for a dispatcher whose requests
    /// are not the proxies' (the warm-up's at start). Default true.
    /// </summary>
    public bool CountRequests { get; set; } = true;

    /// <summary>
    /// How long a reply is kept for replay to a retransmitted request with the same cookie. Proxies retransmit
    /// for a few seconds; 30 to 60 s is safe. Default 45 s.
    /// </summary>
    public TimeSpan ReplyCacheTime { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Most replies kept for replay; the oldest is dropped first beyond it. Default 65536.</summary>
    public int ReplyCacheCapacity { get; set; } = 65536;

    /// <summary>
    /// Most bytes of replies kept for replay (each counted with its cookie and about 128 bytes of bookkeeping); the
    /// oldest is dropped first beyond it. Query and delete replies of a big call run to tens of kilobytes, so a flood
    /// of queries with new cookies would otherwise hold gigabytes for <see cref="ReplyCacheTime"/>. A request whose
    /// reply was dropped runs again when retransmitted. Default 64 MiB.
    /// </summary>
    public long ReplyCacheBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Call-IDs returned by <c>list</c> when the request has no <c>limit</c>. Default 32.</summary>
    public int ListLimit { get; set; } = 32;

    /// <summary>
    /// Largest reply sent, cookie included. A UDP datagram carries at most 65,507 bytes over IPv4, and a reply the
    /// socket refuses never reaches the proxy (Kamailio then marks the relay disabled), so a bigger reply is trimmed:
    /// query and delete keep their totals and the detail of the first media streams that fit, any other reply keeps
    /// its result; both say so in <c>warning</c>. Default 65,000.
    /// </summary>
    public int MaxReplySize { get; set; } = 65_000;

    /// <summary>
    /// Threads per listener that receive and run commands, each on its own (no hand-over between threads): this many
    /// commands run at once, and one that waits (a kernel flush) holds up only its own thread. Default one per core,
    /// at least 2 and at most 4: commands share one session lock, so more threads than cores only take turns (on
    /// two cores, four workers had a 15-40 % higher offer p99 and 20-35 % more memory per call than two).
    /// </summary>
    public int Workers { get; set; } = Math.Clamp(Environment.ProcessorCount, 2, 4);

    /// <summary>Largest datagram accepted; longer ones are truncated by the socket and fail to parse. Default 65535.</summary>
    public int MaxDatagramSize { get; set; } = 65535;
}
