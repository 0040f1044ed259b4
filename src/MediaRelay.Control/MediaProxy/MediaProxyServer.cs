using MediaRelay.Control.Listeners;
using MediaRelay.Protocols.MediaProxy;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Control.MediaProxy;

/// <summary>
/// MediaProxy's protocol on a UNIX stream socket, where the proxies' <c>mediaproxy</c> module looks for MediaProxy's
/// dispatcher: each SIP worker keeps one connection and sends one request at a time (a command line, header lines,
/// an empty line); each gets one CRLF-terminated line. With a <see cref="DialogEnder"/>, a call whose media times
/// out is ended in the proxy.
/// </summary>
public sealed class MediaProxyServer : IAsyncDisposable
{
    private readonly UnixStreamServer _listener;
    private readonly MediaProxyHandler _handler;
    private readonly DialogEnder? _ender;

    public MediaProxyServer(string path, MediaProxyHandler handler, DialogEnder? ender = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
        _ender = ender;
        var options = new UnixStreamOptions
        {
            Name = "mediaproxy",
            Path = path,
            MaxRequestSize = MediaProxyRequest.MaxLength,
            // SIP workers keep their connection for the proxy's lifetime.
            IdleTimeout = Timeout.InfiniteTimeSpan,
        };
        _listener = new UnixStreamServer(options, Frame, handler.Handle, logger);
        if (ender is not null)
        {
            handler.MediaTimedOut += (dialog, call) => _ = ender.EndAsync(dialog, call);
        }
    }

    public string Path => _listener.Path;

    public long Requests => _listener.Requests;

    public void Start() => _listener.Start();

    public Task StopAsync() => _listener.StopAsync();

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static int Frame(ReadOnlySpan<byte> buffered) => MediaProxyFraming.Find(buffered, out var length) switch
    {
        MediaProxyFrameStatus.Complete => length,
        MediaProxyFrameStatus.TooLarge => -1,
        _ => 0,
    };
}
