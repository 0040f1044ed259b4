using MediaRelay.Control.Listeners;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Control.Rtpproxy;

/// <summary>
/// rtpproxy's protocol where the proxies' <c>rtpproxy</c> module looks for it (its <c>rtpproxy_sock</c>): UDP
/// datagrams <c>COOKIE COMMAND</c>, retransmission-safe by cookie, and UNIX stream sockets carrying one command per
/// connection without a cookie (the reply, then the relay closes).
/// </summary>
public sealed class RtpproxyServer : IAsyncDisposable
{
    private readonly CookieDatagramServer? _udp;
    private readonly List<UnixStreamServer> _unix = [];

    public RtpproxyServer(RtpproxyHandler handler, IList<System.Net.IPEndPoint> udp, IEnumerable<string> unixPaths,
        TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (udp.Count > 0)
        {
            _udp = new CookieDatagramServer(new CookieDatagramOptions { Name = "rtpproxy", ThreadName = "rtpp", EndPoints = udp },
                datagram => handler.Handle(datagram, hasCookie: true), time, logger);
        }

        foreach (var path in unixPaths)
        {
            var options = new UnixStreamOptions { Name = "rtpproxy", Path = path, CloseAfterReply = true, IdleTimeout = TimeSpan.FromSeconds(5), MaxRequestSize = 8192 };
            _unix.Add(new UnixStreamServer(options, FrameUnixCommand, request => handler.Handle(request, hasCookie: false), logger));
        }
    }

    /// <summary>The UDP endpoints bound.</summary>
    public IReadOnlyList<System.Net.IPEndPoint> UdpEndPoints => _udp?.LocalEndPoints ?? [];

    public void Start()
    {
        _udp?.Start();
        foreach (var unix in _unix)
        {
            unix.Start();
        }
    }

    public async Task StopAsync()
    {
        if (_udp is not null)
        {
            await _udp.StopAsync().ConfigureAwait(false);
        }

        foreach (var unix in _unix)
        {
            await unix.StopAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>
    /// The module writes one command and no newline, then waits for the reply: a command ends at a newline when one
    /// comes, else with what has arrived (a UNIX stream delivers the module's single write whole).
    /// </summary>
    private static int FrameUnixCommand(ReadOnlySpan<byte> buffered)
    {
        if (buffered.IsEmpty)
        {
            return 0;
        }

        var newline = buffered.IndexOf((byte)'\n');
        return newline >= 0 ? newline + 1 : buffered.Length;
    }
}
