using System.Net;
using System.Net.Sockets;
using System.Text;
using MediaRelay.Control.Ng;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Control.Listeners;

/// <summary>Runs one datagram (cookie included) and returns the whole reply datagram, cookie included. Must not throw.</summary>
public delegate byte[] DatagramHandler(ReadOnlySpan<byte> datagram);

/// <summary>
/// A control listener for <c>COOKIE SP COMMAND</c> datagrams over UDP, as rtpproxy's protocol frames them: replies
/// are cached by cookie for <see cref="CookieDatagramOptions.ReplyCacheTime"/> so a retransmission gets the same
/// bytes and its command does not run twice (an update would otherwise take new ports). Commands run in arrival
/// order on the listener's own receive loop: the proxy waits for each reply anyway. A datagram without a space is
/// counted and dropped. Threading: Start and StopAsync from one thread; counters from any thread.
/// </summary>
public sealed class CookieDatagramServer : IAsyncDisposable
{
    private readonly CookieDatagramOptions _options;
    private readonly DatagramHandler _handler;
    private readonly ILogger _logger;
    private readonly NgReplyCache<EndPoint> _cache;
    private readonly List<(Socket Socket, IPEndPoint EndPoint, Task? Loop)> _listeners = [];
    private readonly CancellationTokenSource _stopping = new();
    private long _received;
    private long _withoutCookie;
    private long _replayed;
    private bool _stopped;

    public CookieDatagramServer(CookieDatagramOptions options, DatagramHandler handler, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _handler = handler;
        _logger = logger ?? NullLogger.Instance;
        _cache = new NgReplyCache<EndPoint>(time ?? TimeProvider.System, options.ReplyCacheTime, options.ReplyCacheCapacity, options.ReplyCacheBytes);
    }

    /// <summary>The endpoints bound (a configured port 0 shows the port chosen).</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => _listeners.ConvertAll(l => l.EndPoint);

    public long DatagramsReceived => Interlocked.Read(ref _received);

    public long DatagramsWithoutCookie => Interlocked.Read(ref _withoutCookie);

    public long RepliesReplayed => Interlocked.Read(ref _replayed);

    /// <summary>Binds every endpoint and starts receiving; throws when one cannot be bound.</summary>
    public void Start()
    {
        try
        {
            foreach (var endPoint in _options.EndPoints)
            {
                var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                _listeners.Add((socket, endPoint, null));
                if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    socket.DualMode = false;
                }

                socket.Bind(endPoint);
            }
        }
        catch
        {
            foreach (var listener in _listeners)
            {
                listener.Socket.Dispose();
            }

            _listeners.Clear();
            throw;
        }

        for (var i = 0; i < _listeners.Count; i++)
        {
            var socket = _listeners[i].Socket;
            var bound = (IPEndPoint)socket.LocalEndPoint!;
            ListenerLog.UdpListening(_logger, _options.Name, bound);
            _listeners[i] = (socket, bound, Task.Run(() => ReceiveLoopAsync(socket, bound)));
        }
    }

    private async Task ReceiveLoopAsync(Socket socket, IPEndPoint bound)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(_options.MaxDatagramSize);
        EndPoint any = socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException e)
            {
                // An ICMP error for an earlier reply surfaces here; the socket stays usable.
                ListenerLog.UdpReceiveFailed(_logger, _options.Name, bound, e.SocketErrorCode);
                continue;
            }

            Interlocked.Increment(ref _received);
            OnDatagram(socket, buffer.AsSpan(0, result.ReceivedBytes), result.RemoteEndPoint);
        }
    }

    private void OnDatagram(Socket socket, ReadOnlySpan<byte> datagram, EndPoint remote)
    {
        var space = datagram.IndexOf((byte)' ');
        if (space <= 0)
        {
            Interlocked.Increment(ref _withoutCookie);
            return;
        }

        var cookie = Encoding.UTF8.GetString(datagram[..space]);
        switch (_cache.Begin(cookie, remote, out var cached))
        {
            case NgReplyCache<EndPoint>.Outcome.Replay:
                Interlocked.Increment(ref _replayed);
                Send(socket, cached!, remote);
                return;
            case NgReplyCache<EndPoint>.Outcome.Wait:
                Interlocked.Increment(ref _replayed);
                return;
        }

        var reply = _handler(datagram);
        foreach (var waiter in _cache.Complete(cookie, reply))
        {
            Send(socket, reply, waiter);
        }

        Send(socket, reply, remote);
    }

    private void Send(Socket socket, byte[] reply, EndPoint remote)
    {
        try
        {
            socket.SendTo(reply, SocketFlags.None, remote);
        }
        catch (SocketException e)
        {
            ListenerLog.UdpSendFailed(_logger, _options.Name, remote, e.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
            // Stopping.
        }
    }

    /// <summary>Stops receiving (the command being run finishes) and closes the sockets.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var (socket, endPoint, loop) in _listeners)
        {
            if (loop is not null)
            {
                await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            socket.Dispose();
            ListenerLog.UdpStopped(_logger, _options.Name, endPoint);
        }

        _stopping.Dispose();
        _cache.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}

/// <summary>Settings of a <see cref="CookieDatagramServer"/>; every property states its default.</summary>
public sealed class CookieDatagramOptions
{
    /// <summary>The protocol's name in log lines.</summary>
    public string Name { get; set; } = "control";

    /// <summary>The UDP endpoints to listen on. Default none.</summary>
    public IList<IPEndPoint> EndPoints { get; set; } = [];

    /// <summary>How long a reply is kept for a retransmission. Default 45 s (proxies retransmit for a few seconds).</summary>
    public TimeSpan ReplyCacheTime { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Most replies kept. Default 65536.</summary>
    public int ReplyCacheCapacity { get; set; } = 65536;

    /// <summary>Most bytes of replies kept. Default 16 MiB.</summary>
    public long ReplyCacheBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Largest datagram read. Default 8192.</summary>
    public int MaxDatagramSize { get; set; } = 8192;
}
