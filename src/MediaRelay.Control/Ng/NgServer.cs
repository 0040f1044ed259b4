using System.Buffers;
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
/// is trimmed (<see cref="INgCommandHandler.Trim"/>), since one the socket refuses never reaches the proxy.
/// Each listener has <see cref="NgOptions.Workers"/> threads of its own; each receives a datagram (a blocking
/// receive: the kernel wakes one waiting thread per datagram), runs its command and sends the reply, with no hand-over
/// to another thread, so one slow command holds up only its own thread. Datagrams wait in the socket's queue while
/// every worker is busy.
/// Threading: Start and StopAsync from one thread; the counters may be read from any thread.
/// </summary>
public sealed class NgServer : IAsyncDisposable
{
    private readonly NgOptions _options;
    private readonly NgDispatcher _dispatcher;
    private readonly ILogger _logger;
    private readonly NgReplyCache<Peer> _cache;
    private readonly List<Listener> _listeners = [];
    private volatile bool _stopping;
    private long _received;
    private long _withoutCookie;
    private long _malformed;
    private long _replayed;
    private long _handled;
    private long _trimmed;
    private const int MaxKeptOutput = 65536;
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

        var workers = Math.Max(1, _options.Workers);
        foreach (var listener in _listeners)
        {
            listener.EndPoint = (IPEndPoint)listener.Socket.LocalEndPoint!;
            NgLog.Listening(_logger, listener.EndPoint);
            for (var i = 0; i < workers; i++)
            {
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                listener.Workers.Add(done.Task);
                var thread = new Thread(() => ReceiveLoop(listener, done))
                {
                    IsBackground = true,
                    Name = "ng-" + listener.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                thread.Start();
            }
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
        _stopping = true;
        foreach (var listener in _listeners)
        {
            // Wakes the workers blocked in a receive: shutdown(SHUT_RD) ends their wait (on an unconnected UDP socket
            // the call reports ENOTCONN but still takes effect). A worker running a command sends its reply first,
            // then sees the stop; the datagrams still queued are never run.
            try
            {
                listener.Socket.Shutdown(SocketShutdown.Receive);
            }
            catch (SocketException)
            {
            }
        }

        foreach (var listener in _listeners)
        {
            await Task.WhenAll(listener.Workers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            listener.Socket.Dispose();
            NgLog.Stopped(_logger, listener.EndPoint);
        }

        // Every worker has ended: no one replays from the cache any more; its native memory goes back now.
        _cache.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>One worker: receive, run, reply, until the stop. Its buffers are its own and reused.</summary>
    private void ReceiveLoop(Listener listener, TaskCompletionSource done)
    {
        try
        {
            var buffer = GC.AllocateUninitializedArray<byte>(_options.MaxDatagramSize);
            var output = new ArrayBufferWriter<byte>(4096);
            var any = listener.Socket.AddressFamily == AddressFamily.InterNetworkV6
                ? new IPEndPoint(IPAddress.IPv6Any, 0)
                : new IPEndPoint(IPAddress.Any, 0);
            while (!_stopping)
            {
                EndPoint remote = any;
                int received;
                try
                {
                    received = listener.Socket.ReceiveFrom(buffer, SocketFlags.None, ref remote);
                }
                catch (SocketException e)
                {
                    if (_stopping)
                    {
                        break;
                    }

                    // An ICMP error for an earlier reply can surface here (connection reset); the socket stays usable.
                    NgLog.ReceiveFailed(_logger, listener.EndPoint, e.SocketErrorCode);
                    continue;
                }
                catch (ObjectDisposedException)
                {
                    break;
                }

                if (_stopping)
                {
                    // Received after the stop (the backlog, or the wake-up of the shutdown): not run.
                    break;
                }

                Interlocked.Increment(ref _received);
                try
                {
                    OnDatagram(listener, buffer.AsSpan(0, received), remote, output);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A bug outside the handlers (they are guarded by the dispatcher) must not end this worker: an
                    // exception on its own thread would take the process down. That datagram gets no reply.
                    NgLog.HandlerFailed(_logger, "(server)", null, e);
                }

                if (output.Capacity > MaxKeptOutput)
                {
                    // The writer is reused; one grown by a huge reply goes back to the GC rather than stay with the worker.
                    output = new ArrayBufferWriter<byte>(4096);
                }
            }
        }
        finally
        {
            done.TrySetResult();
        }
    }

    private void OnDatagram(Listener listener, ReadOnlySpan<byte> datagram, EndPoint remote, ArrayBufferWriter<byte> output)
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

        var reply = BuildReply(cookie, datagram, space, remote, output);
        var waiters = _cache.Complete(cookie, reply);
        Send(peer, reply);
        foreach (var waiter in waiters)
        {
            Send(waiter, reply);
        }
    }

    /// <summary>Runs the command; the reply datagram is what <paramref name="output"/> holds when this returns.</summary>
    private ReadOnlySpan<byte> BuildReply(string cookie, ReadOnlySpan<byte> datagram, int space, EndPoint remote, ArrayBufferWriter<byte> output)
    {
        var body = datagram[(space + 1)..];
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

        var prefix = datagram[..(space + 1)];
        Encode(prefix, reply, json, output);
        var limit = _options.MaxReplySize;
        if (output.WrittenCount > limit)
        {
            // A datagram the socket refuses never reaches the proxy: send less rather than nothing.
            Interlocked.Increment(ref _trimmed);
            var prefixCopy = prefix.ToArray();
            var trimmed = _dispatcher.Trim(tree, reply, candidate =>
            {
                var probe = new ArrayBufferWriter<byte>(limit);
                Encode(prefixCopy, candidate, json, probe);
                return probe.WrittenCount <= limit;
            });
            // Null only when the cookie alone nearly fills a datagram: the send then fails and says so.
            if (trimmed is not null)
            {
                var size = output.WrittenCount;
                Encode(prefix, trimmed, json, output);
                NgLog.ReplyTrimmed(_logger, remote, cookie, size, limit, output.WrittenCount);
            }
        }

        return output.WrittenSpan;
    }

    /// <summary>The cookie and its space, then the reply in the request's encoding, into <paramref name="output"/> (reset first).</summary>
    private static void Encode(ReadOnlySpan<byte> prefix, BencodeDictionary reply, bool json, ArrayBufferWriter<byte> output)
    {
        output.ResetWrittenCount();
        output.Write(prefix);
        if (json)
        {
            NgJson.Write(reply, output);
        }
        else
        {
            BencodeWriter.Write(reply, output);
        }
    }

    private void Send(Peer peer, ReadOnlySpan<byte> reply)
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

        public List<Task> Workers { get; } = [];
    }
}
