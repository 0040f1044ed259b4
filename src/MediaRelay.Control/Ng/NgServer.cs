using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MediaRelay.Protocols.Bencode;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Control.Ng;

/// <summary>
/// The ng control server: UDP datagrams of the form <c>COOKIE SP BODY</c>, where BODY is a bencode dictionary or,
/// when it starts with '{', a JSON object; the reply is <c>COOKIE SP BODY</c> in the same encoding. A datagram
/// without a space gets no reply (it is counted). Replies are cached by cookie for
/// <see cref="NgOptions.ReplyCacheTime"/> (within <see cref="NgOptions.ReplyCacheBytes"/>), so a retransmission is
/// answered with the same bytes without running the command again. A reply over <see cref="NgOptions.MaxReplySize"/>
/// is trimmed (<see cref="INgCommandHandler.Trim"/>), since one the socket refuses never reaches the proxy. Each
/// request runs on the thread pool, so one slow command does not hold up the others.
/// Threading: Start and StopAsync from one thread; the counters may be read from any thread.
/// </summary>
public sealed class NgServer : IAsyncDisposable
{
    private readonly NgOptions _options;
    private readonly NgDispatcher _dispatcher;
    private readonly ILogger _logger;
    private readonly NgReplyCache<Peer> _cache;
    private readonly List<Listener> _listeners = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private long _received;
    private long _withoutCookie;
    private long _malformed;
    private long _replayed;
    private long _handled;
    private long _trimmed;
    private bool _started;
    private bool _stopped;

    public NgServer(NgOptions options, NgDispatcher dispatcher, TimeProvider? time = null, ILogger<NgServer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dispatcher);
        _options = options;
        _dispatcher = dispatcher;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _cache = new NgReplyCache<Peer>(time ?? TimeProvider.System, options.ReplyCacheTime, options.ReplyCacheCapacity, options.ReplyCacheBytes);
    }

    /// <summary>The endpoints actually bound (a configured port 0 shows the port the system chose).</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => _listeners.Select(l => l.EndPoint).ToArray();

    /// <summary>Every datagram received.</summary>
    public long DatagramsReceived => Interlocked.Read(ref _received);

    /// <summary>Datagrams with no space after a cookie; they get no reply.</summary>
    public long DatagramsWithoutCookie => Interlocked.Read(ref _withoutCookie);

    /// <summary>Bodies that were neither a bencode dictionary nor a JSON object; each got an error reply.</summary>
    public long MalformedMessages => Interlocked.Read(ref _malformed);

    /// <summary>Retransmissions answered from the reply cache (including copies that waited for the first).</summary>
    public long RepliesReplayed => Interlocked.Read(ref _replayed);

    /// <summary>Well-formed messages handed to the dispatcher.</summary>
    public long CommandsHandled => Interlocked.Read(ref _handled);

    /// <summary>Replies over <see cref="NgOptions.MaxReplySize"/>, sent trimmed.</summary>
    public long RepliesTrimmed => Interlocked.Read(ref _trimmed);

    /// <summary>Binds every endpoint of <see cref="NgOptions.ListenEndPoints"/> and starts receiving. Throws when one cannot be bound.</summary>
    public void Start()
    {
        if (_started)
        {
            throw new InvalidOperationException("the ng server was already started");
        }

        _started = true;
        try
        {
            foreach (var endPoint in _options.ListenEndPoints)
            {
                var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                _listeners.Add(new Listener(socket));
                if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    // [::] must not also take the IPv4 port: a separate 0.0.0.0 listener may want it.
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

        foreach (var listener in _listeners)
        {
            listener.EndPoint = (IPEndPoint)listener.Socket.LocalEndPoint!;
            NgLog.Listening(_logger, listener.EndPoint);
            listener.Loop = Task.Run(() => ReceiveLoopAsync(listener));
        }
    }

    /// <summary>
    /// Stops receiving, drops the commands not started yet (a flood's backlog must not hold up the stop; they get
    /// no reply, as if lost on the way), waits for the running ones and closes the sockets.
    /// </summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _stopping.CancelAsync();
        foreach (var listener in _listeners)
        {
            if (listener.Loop is not null)
            {
                await listener.Loop;
            }
        }

        // Commands not started yet were canceled by _stopping (see OnDatagram); only the running ones are awaited.
        await Task.WhenAll(_running.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var listener in _listeners)
        {
            listener.Socket.Dispose();
            NgLog.Stopped(_logger, listener.EndPoint);
        }

        _stopping.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task ReceiveLoopAsync(Listener listener)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(_options.MaxDatagramSize);
        EndPoint any = listener.Socket.AddressFamily == AddressFamily.InterNetworkV6
            ? new IPEndPoint(IPAddress.IPv6Any, 0)
            : new IPEndPoint(IPAddress.Any, 0);
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await listener.Socket.ReceiveFromAsync(buffer, SocketFlags.None, any, token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException e)
            {
                // An ICMP error for an earlier reply can surface here (connection reset); the socket stays usable.
                NgLog.ReceiveFailed(_logger, listener.EndPoint, e.SocketErrorCode);
                continue;
            }

            Interlocked.Increment(ref _received);
            OnDatagram(listener, buffer.AsSpan(0, result.ReceivedBytes), result.RemoteEndPoint);
        }
    }

    private void OnDatagram(Listener listener, ReadOnlySpan<byte> datagram, EndPoint remote)
    {
        var space = datagram.IndexOf((byte)' ');
        if (space <= 0)
        {
            Interlocked.Increment(ref _withoutCookie);
            NgLog.NoCookie(_logger, remote);
            return;
        }

        var cookie = Encoding.UTF8.GetString(datagram[..space]);
        var peer = new Peer(listener.Socket, remote);
        switch (_cache.Begin(cookie, peer, out var cached))
        {
            case NgReplyCache<Peer>.Outcome.Replay:
                Interlocked.Increment(ref _replayed);
                NgLog.Replayed(_logger, cookie, remote);
                Send(peer, cached!);
                return;
            case NgReplyCache<Peer>.Outcome.Wait:
                Interlocked.Increment(ref _replayed);
                NgLog.DuplicateWhilePending(_logger, cookie, remote);
                return;
        }

        var copy = datagram.ToArray();
        var task = Task.Run(() => Run(peer, cookie, copy, space), _stopping.Token);
        _running.TryAdd(task, 0);
        task.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
    }

    private void Run(Peer peer, string cookie, byte[] datagram, int space)
    {
        var reply = BuildReply(cookie, datagram, space, peer.Remote);
        var waiters = _cache.Complete(cookie, reply);
        Send(peer, reply);
        foreach (var waiter in waiters)
        {
            Send(waiter, reply);
        }
    }

    private byte[] BuildReply(string cookie, byte[] datagram, int space, EndPoint remote)
    {
        var body = datagram.AsSpan(space + 1);
        var json = !body.IsEmpty && body[0] == (byte)'{';
        BencodeValue? tree;
        string? error;
        var parsed = json ? NgJson.TryParse(body, out tree, out error) : BencodeReader.TryParse(body, out tree, out error);
        BencodeDictionary reply;
        if (!parsed || tree is not BencodeDictionary)
        {
            Interlocked.Increment(ref _malformed);
            NgLog.Malformed(_logger, remote, cookie, parsed ? "not a dictionary" : error);
            reply = NgReplies.Error(NgErrors.MalformedMessage);
        }
        else
        {
            Interlocked.Increment(ref _handled);
            reply = _dispatcher.Dispatch(tree);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var command = ((BencodeDictionary)tree).GetString("command") ?? "(none)";
                var result = reply.GetString(NgReplies.ResultKey) ?? "?";
                NgLog.Handled(_logger, command, remote, result);
            }
        }

        var prefix = datagram.AsSpan(0, space + 1);
        var encoded = Encode(prefix, reply, json);
        var limit = _options.MaxReplySize;
        if (encoded.WrittenCount > limit)
        {
            // A datagram the socket refuses never reaches the proxy: send less rather than nothing.
            Interlocked.Increment(ref _trimmed);
            var trimmed = _dispatcher.Trim(tree, reply, candidate => Encode(datagram.AsSpan(0, space + 1), candidate, json).WrittenCount <= limit);
            // Null only when the cookie alone nearly fills a datagram: the send then fails and says so.
            if (trimmed is not null)
            {
                var size = encoded.WrittenCount;
                encoded = Encode(prefix, trimmed, json);
                NgLog.ReplyTrimmed(_logger, remote, cookie, size, limit, encoded.WrittenCount);
            }
        }

        return encoded.WrittenSpan.ToArray();
    }

    /// <summary>The cookie and its space, then the reply in the request's encoding.</summary>
    private static ArrayBufferWriter<byte> Encode(ReadOnlySpan<byte> prefix, BencodeDictionary reply, bool json)
    {
        var output = new ArrayBufferWriter<byte>(256);
        output.Write(prefix);
        if (json)
        {
            NgJson.Write(reply, output);
        }
        else
        {
            BencodeWriter.Write(reply, output);
        }

        return output;
    }

    private void Send(Peer peer, byte[] reply)
    {
        try
        {
            peer.Socket.SendTo(reply, SocketFlags.None, peer.Remote);
        }
        catch (SocketException e)
        {
            NgLog.SendFailed(_logger, peer.Remote, e.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
            // Stopping: the socket closed while a reply was on its way.
        }
    }

    private readonly record struct Peer(Socket Socket, EndPoint Remote);

    private sealed class Listener(Socket socket)
    {
        public Socket Socket { get; } = socket;

        public IPEndPoint EndPoint { get; set; } = new(IPAddress.None, 0);

        public Task? Loop { get; set; }
    }
}
