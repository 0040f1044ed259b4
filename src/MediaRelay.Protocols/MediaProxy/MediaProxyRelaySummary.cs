using System.Net;

namespace MediaRelay.Protocols.MediaProxy;

/// <summary>
/// One relay's answer to <c>summary</c>, the input of <see cref="MediaProxyJson.FormatSummary"/>: AG Projects'
/// relay <c>got_command("summary")</c>. Threading: immutable.
/// </summary>
/// <param name="Ip">The relay's address.</param>
/// <param name="Version">The relay's software version.</param>
/// <param name="Status"><c>active</c>, or <c>halting</c> while shutting down.</param>
/// <param name="Uptime">Whole seconds since the relay started.</param>
/// <param name="SessionCount">Live sessions.</param>
/// <param name="StreamCount">Live streams by media type (<c>{"audio": 3, "video": 1}</c>).</param>
/// <param name="BpsRelayed">Bits per second relayed over the last sampling period.</param>
public sealed record MediaProxyRelaySummary(
    IPAddress Ip,
    string Version,
    string Status,
    long Uptime,
    int SessionCount,
    IReadOnlyDictionary<string, int> StreamCount,
    double BpsRelayed);
