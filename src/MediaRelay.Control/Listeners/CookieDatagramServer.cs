using System.Buffers;
using System.Globalization;
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
/// Runs one datagram and writes the whole reply datagram, cookie and space included, into <paramref name="output"/>
/// (empty when called). <paramref name="space"/> is the index of the space after the cookie. Must not throw.
/// </summary>
public delegate void DatagramReplyWriter(ReadOnlySpan<byte> datagram, int space, string cookie, EndPoint remote, ArrayBufferWriter<byte> output);

/// <summary>
/// A control listener for <c>COOKIE SP COMMAND</c> datagrams over UDP, as ng and rtpproxy frame them. Replies are
/// cached by cookie (<see cref="NgReplyCache{TPeer}"/>) so a retransmission gets the same bytes and its command does
/// not run twice (an offer or update would otherwise take new ports); a copy that arrives while the first runs gets
/// the reply when it is ready. A datagram without a space is counted and dropped.
/// Each listener has <see cref="CookieDatagramOptions.Workers"/> threads of its own; each receives a datagram (a
/// blocking receive: the kernel wakes one waiting thread per datagram), runs it and sends the reply, with no
/// hand-over to another thread, so one slow command holds up only its own thread (one worker: arrival order).
/// Datagrams wait in the socket's queue while every worker is busy. The stop drops the commands not started yet (a
/// flood's backlog must not hold it up; they get no reply, as if lost on the way) and waits for the running ones.
/// Threading: Start and StopAsync from one thread; the counters from any thread.
/// </summary>
public sealed class CookieDatagramServer : IAsyncDisposable
{
    /// <summary>A worker's output buffer grown beyond this by a huge reply goes back to the GC.</summary>
    private const int MaxKeptOutput = 65536;
    private readonly CookieDatagramOptions _options;
    private readonly DatagramReplyWriter _writer;
    private readonly ILogger _logger;
    private readonly NgReplyCache<Peer> _cache;
    private readonly List<Listener> _listeners = [];
    private volatile bool _stopping;
    private long _received;
    private long _withoutCookie;
    private long _replayed;
    private bool _started;
    private bool _stopped;

    public CookieDatagramServer(CookieDatagramOptions options, DatagramReplyWriter writer, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(writer);
        _options = options;
        _writer = writer;
        _logger = logger ?? NullLogger.Instance;
        _cache = new NgReplyCache<Peer>(time ?? TimeProvider.System, options.ReplyCacheTime, options.ReplyCacheCapacity, options.ReplyCacheBytes);
    }

    /// <summary>A server whose handler returns each reply as an array (the rtpproxy protocol's handler).</summary>
    public CookieDatagramServer(CookieDatagramOptions options, DatagramHandler handler, TimeProvider? time = null, ILogger? logger = null)
        : this(options, (datagram, _, _, _, output) => output.Write(handler(datagram)), time, logger)
    {
        ArgumentNullException.ThrowIfNull(handler);
    }

    /// <summary>The endpoints bound (a configured port 0 shows the port chosen).</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => _listeners.ConvertAll(l => l.EndPoint);

    /// <summary>Every datagram received.</summary>
    public long DatagramsReceived => Interlocked.Read(ref _received);

    /// <summary>Datagrams with no space after a cookie; they get no reply.</summary>
    public long DatagramsWithoutCookie => Interlocked.Read(ref _withoutCookie);

    /// <summary>Retransmissions answered from the reply cache (including copies that waited for the first).</summary>
    public long RepliesReplayed => Interlocked.Read(ref _replayed);

    /// <summary>Binds every endpoint and starts the workers; throws when one cannot be bound (nothing stays bound).</summary>
    public void Start()
    {
        if (_started || _stopped)
        {
            throw new InvalidOperationException("the " + _options.Name + " server was already " + (_stopped ? "stopped" : "started"));
        }

        _started = true;
        try
        {
            foreach (var endPoint in _options.EndPoints)
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
            ListenerLog.UdpListening(_logger, _options.Name, listener.EndPoint);
            for (var i = 0; i < workers; i++)
            {
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                listener.Workers.Add(done.Task);
                var thread = new Thread(() => ReceiveLoop(listener, done))
                {
                    IsBackground = true,
                    // Linux keeps 15 characters of a thread's name: "ng-22222-3", "rtpp-22222-0".
                    Name = _options.ThreadName + "-" + listener.EndPoint.Port.ToString(CultureInfo.InvariantCulture) + "-" + i.ToString(CultureInfo.InvariantCulture),
                };
                thread.Start();
            }
        }
    }

    /// <summary>Stops receiving, drops the datagrams not started yet, waits for the running ones and closes the sockets.</summary>
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
            ListenerLog.UdpStopped(_logger, _options.Name, listener.EndPoint);
        }

        // Every worker has ended: no one replays from the cache any more; its native memory goes back now.
        _cache.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

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
                    ListenerLog.UdpReceiveFailed(_logger, _options.Name, listener.EndPoint, e.SocketErrorCode);
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
                    // A bug outside the handlers (they are guarded themselves) must not end this worker: an exception
                    // on its own thread would take the process down. That datagram gets no reply.
                    ListenerLog.DatagramFailed(_logger, _options.Name, remote, e);
                }

                if (output.Capacity > MaxKeptOutput)
                {
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
            ListenerLog.NoCookie(_logger, _options.Name, remote);
            return;
        }

        var cookie = Encoding.UTF8.GetString(datagram[..space]);
        var peer = new Peer(listener.Socket, remote);
        switch (_cache.Begin(cookie, peer, out var cached))
        {
            case NgReplyCache<Peer>.Outcome.Replay:
                Interlocked.Increment(ref _replayed);
                ListenerLog.Replayed(_logger, _options.Name, cookie, remote);
                Send(peer, cached);
                return;
            case NgReplyCache<Peer>.Outcome.Wait:
                Interlocked.Increment(ref _replayed);
                ListenerLog.DuplicateWhilePending(_logger, _options.Name, cookie, remote);
                return;
        }

        output.ResetWrittenCount();
        try
        {
            _writer(datagram, space, cookie, remote, output);
        }
        catch
        {
            // No reply: a retransmission must run the command again, not wait forever for this one's reply.
            _cache.Abandon(cookie);
            throw;
        }

        var reply = output.WrittenSpan;
        var waiters = _cache.Complete(cookie, reply);
        Send(peer, reply);
        foreach (var waiter in waiters)
        {
            Send(waiter, reply);
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
            ListenerLog.UdpSendFailed(_logger, _options.Name, peer.Remote, e.SocketErrorCode);
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

/// <summary>Settings of a <see cref="CookieDatagramServer"/>; every property states its default.</summary>
public sealed class CookieDatagramOptions
{
    /// <summary>The protocol's name in log lines and thread names.</summary>
    public string Name { get; set; } = "control";

    /// <summary>The workers' thread names begin with this (at most 4 characters, so port and number fit in Linux's 15). Default "ctl".</summary>
    public string ThreadName { get; set; } = "ctl";

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

    /// <summary>Threads per listener that receive and run datagrams. Default 1 (commands run in arrival order).</summary>
    public int Workers { get; set; } = 1;
}
