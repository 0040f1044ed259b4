using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MediaRelay.Protocols.Rtpproxy;

/// <summary>
/// Formats replies exactly as rtpproxy writes them: the body ends with <c>\n</c> and, over UDP, is prefixed with the
/// request's cookie and one space (<c>rtpc_doreply</c>: <c>"%s %s"</c>). Pass the cookie of the command (null over a
/// UNIX stream socket). Kamailio reads at most <see cref="MaxLength"/> bytes of a reply, cookie included.
/// Threading: stateless.
/// </summary>
public static class RtpproxyReply
{
    /// <summary>Most bytes of a reply Kamailio reads (its buffer is 256 bytes with a NUL); rtpproxy's UDP reply buffer is the same.</summary>
    public const int MaxLength = 255;

    /// <summary><c>0</c>: success of D, R, S, X, and the answer to L for an unknown session.</summary>
    public static string Ok(string? cookie) => Number(cookie, 0);

    /// <summary>A bare number, as rtpproxy's <c>reply_number</c>.</summary>
    public static string Number(string? cookie, long number) => Wrap(cookie, number.ToString(CultureInfo.InvariantCulture));

    /// <summary>The answer to <c>V</c>: <c>20040107</c>.</summary>
    public static string Version(string? cookie) => Wrap(cookie, RtpproxyFeatures.BaseVersion);

    /// <summary>The answer to <c>VF</c>: <c>1</c> supported, <c>0</c> not.</summary>
    public static string Feature(string? cookie, bool supported) => Number(cookie, supported ? 1 : 0);

    /// <summary><c>E&lt;n&gt;</c>.</summary>
    public static string Error(string? cookie, RtpproxyErrorCode code) =>
        Wrap(cookie, "E" + ((int)code).ToString(CultureInfo.InvariantCulture));

    /// <summary><c>E&lt;n&gt;</c> for a refused command, with the cookie the parser read.</summary>
    public static string Error(RtpproxyError error) => Error(error.Cookie, error.Code);

    /// <summary>
    /// The answer to U and L: <c>PORT ADDR</c> for IPv4, <c>PORT ADDR 6</c> for IPv6 (no brackets, no zone),
    /// and <c>PORT</c> alone when <paramref name="address"/> is null or a wildcard (rtpproxy <c>ul_reply_port</c>).
    /// Kamailio takes a lone port to mean "keep the address you have".
    /// </summary>
    public static string Port(string? cookie, int port, IPAddress? address)
    {
        CheckPort(port);
        var portText = port.ToString(CultureInfo.InvariantCulture);
        if (address is null || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return Wrap(cookie, portText);
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var noZone = new IPAddress(address.GetAddressBytes());
            return Wrap(cookie, $"{portText} {noZone} 6");
        }

        return Wrap(cookie, $"{portText} {address}");
    }

    /// <summary>The answer to U and L with an advertised address given as text (rtpproxy <c>-A</c>), <c>PORT ADDR[ 6]</c>.</summary>
    public static string Port(string? cookie, int port, string advertisedAddress, bool ipv6)
    {
        CheckPort(port);
        ArgumentException.ThrowIfNullOrWhiteSpace(advertisedAddress);
        var portText = port.ToString(CultureInfo.InvariantCulture);
        return Wrap(cookie, ipv6 ? $"{portText} {advertisedAddress} 6" : $"{portText} {advertisedAddress}");
    }

    /// <summary>
    /// The answer to <c>Q</c> without counter names: <c>TTL IN_THIS IN_OTHER RELAYED DROPPED</c>, or with
    /// <paramref name="verbose"/> <c>ttl=… npkts_ina=… npkts_ino=… nrelayed=… ndropped=…</c>.
    /// </summary>
    public static string Query(string? cookie, int ttl, ulong packetsInThis, ulong packetsInOther, ulong relayed, ulong dropped, bool verbose)
    {
        var body = verbose
            ? string.Create(CultureInfo.InvariantCulture, $"ttl={ttl} npkts_ina={packetsInThis} npkts_ino={packetsInOther} nrelayed={relayed} ndropped={dropped}")
            : string.Create(CultureInfo.InvariantCulture, $"{ttl} {packetsInThis} {packetsInOther} {relayed} {dropped}");
        return Wrap(cookie, body);
    }

    /// <summary>
    /// The answer to <c>Q</c> with counter names and to <c>G</c>: the values separated by spaces, or
    /// <c>name=value</c> pairs with <paramref name="verbose"/>. Values are written as given.
    /// </summary>
    public static string Values(string? cookie, IEnumerable<KeyValuePair<string, string>> values, bool verbose)
    {
        ArgumentNullException.ThrowIfNull(values);
        var body = new StringBuilder();
        foreach (var (name, value) in values)
        {
            if (body.Length > 0)
            {
                body.Append(' ');
            }

            if (verbose)
            {
                body.Append(name).Append('=');
            }

            body.Append(value);
        }

        return Wrap(cookie, body.ToString());
    }

    /// <summary>
    /// The answer to <c>I</c>: five <c>name: value</c> lines, and <c>average load: %f</c> when
    /// <paramref name="averageLoad"/> is given (for <c>Il</c>). Longer than <see cref="MaxLength"/> only with huge numbers.
    /// </summary>
    public static string Info(string? cookie, ulong sessionsCreated, long activeSessions, long activeStreams,
        ulong packetsReceived, ulong packetsTransmitted, double? averageLoad)
    {
        var body = string.Create(CultureInfo.InvariantCulture,
            $"sessions created: {sessionsCreated}\nactive sessions: {activeSessions}\nactive streams: {activeStreams}\npackets received: {packetsReceived}\npackets transmitted: {packetsTransmitted}");
        if (averageLoad is { } load)
        {
            body += "\naverage load: " + load.ToString("F6", CultureInfo.InvariantCulture);
        }

        return Wrap(cookie, body);
    }

    private static void CheckPort(int port) => ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)port, 65535u, nameof(port));

    private static string Wrap(string? cookie, string body) => cookie is null ? body + "\n" : cookie + " " + body + "\n";
}
