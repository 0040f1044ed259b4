using System.Globalization;
using System.Net;
using System.Text;

namespace MediaRelay.Protocols.MediaProxy;

/// <summary>
/// The one-line replies on the dispatcher socket. The module reads until a chunk it received contains CRLF, then
/// splits the whole reply on whitespace, so every reply is exactly one line ending in CRLF: a second line would be
/// read as the reply to the module's next request. The module answers nothing back. Threading: stateless.
/// </summary>
public static class MediaProxyReply
{
    /// <summary>The line terminator of every reply.</summary>
    public const string LineEnd = "\r\n";

    /// <summary>The failure reply: the module logs "mediaproxy returned error" and leaves the SDP alone.</summary>
    public const string Error = "error" + LineEnd;

    /// <summary>The dispatcher's reply to <c>remove</c> (the module ignores what the line says).</summary>
    public const string Removed = "removed" + LineEnd;

    /// <summary>
    /// The reply to <c>update</c>: the relay address, then one port per stream of the request's <c>media</c> header,
    /// in order, 0 for a stream the relay rejected. The module writes the address into every <c>c=</c> it rewrites
    /// (and into <c>a=rtcp</c> addresses), each port into its <c>m=</c> line and port + 1 into <c>a=rtcp</c>; a
    /// stream whose own port is 0 keeps it. On a request it fails the call when fewer ports come back than streams
    /// went out. The module only rewrites address text and inserts <c>c=IN IP4</c> lines and IPv4 ICE candidates,
    /// so an IPv6 relay address suits only SDP that already says IP6. For an <c>update</c> without <c>media</c>
    /// (a 200 OK without SDP) the module waits for a line but ignores it; pass no ports.
    /// </summary>
    public static string FormatUpdate(IPAddress address, ReadOnlySpan<int> ports)
    {
        ArgumentNullException.ThrowIfNull(address);
        var builder = new StringBuilder(48 + (ports.Length * 6));
        builder.Append(address.ToString());
        foreach (var port in ports)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(port);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
            builder.Append(' ').Append(port.ToString(CultureInfo.InvariantCulture));
        }

        return builder.Append(LineEnd).ToString();
    }
}
