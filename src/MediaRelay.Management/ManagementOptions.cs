using System.Net;

namespace MediaRelay.Management;

/// <summary>Where the management listener listens and what it reports about the relay it belongs to.</summary>
public sealed class ManagementOptions
{
    /// <summary>The default listener: loopback only, so no token is needed.</summary>
    public static readonly IPEndPoint DefaultListen = new(IPAddress.Loopback, 9900);

    /// <summary>The TCP address and port of the HTTP listener (port 0: any free port, see <see cref="ManagementServer.EndPoint"/>).</summary>
    public IPEndPoint Listen { get; set; } = DefaultListen;

    /// <summary>When set, every request must carry <c>Authorization: Bearer TOKEN</c>.</summary>
    public string? Token { get; set; }

    /// <summary>The relay's version, as <c>/api/summary</c> reports it.</summary>
    public string Version { get; set; } = typeof(ManagementOptions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>The relay's default advertised address (MediaProxy's summary <c>ip</c>).</summary>
    public IPAddress? RelayAddress { get; set; }

    /// <summary>
    /// Counters the packet path keeps anyway (the io_uring or epoll loops' figures), read on scrape and exported as
    /// <c>mediarelay_transport_events_total{event}</c>; null when the transport keeps none.
    /// </summary>
    public Func<IReadOnlyList<KeyValuePair<string, long>>>? TransportCounters { get; set; }

    /// <summary>
    /// True when <paramref name="endPoint"/> is reachable from other hosts (not a loopback address), where a token is
    /// required.
    /// </summary>
    public static bool BeyondLoopback(IPEndPoint endPoint) => !IPAddress.IsLoopback(endPoint.Address);
}
