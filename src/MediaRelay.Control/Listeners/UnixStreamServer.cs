using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Control.Listeners;

/// <summary>
/// A control listener on a UNIX stream socket, as MediaProxy's dispatcher and rtpproxy's <c>unix:</c> socket are
/// spoken to by the proxies' modules: a client connects, writes a request, reads the reply. Requests are cut out of
/// the stream by a <see cref="StreamFraming"/>; each connection is served in order on its own task, and closed after
/// its reply when <see cref="UnixStreamOptions.CloseAfterReply"/>, after <see cref="UnixStreamOptions.IdleTimeout"/>
/// without a request, or when a request grows past <see cref="UnixStreamOptions.MaxRequestSize"/> (counted).
/// A stale socket file from a crashed run is replaced; a socket another process still listens on is not.
/// Threading: Start and StopAsync from one thread; counters from any thread.
/// </summary>
public sealed class UnixStreamServer : IAsyncDisposable
{
    private readonly UnixStreamOptions _options;
    private readonly StreamFraming _framing;
    private readonly StreamRequestHandler _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _connections = [];
    private readonly Lock _lock = new();
    private Socket? _listener;
    private Task? _acceptLoop;
    private long _requests;
    private long _rejected;
    private bool _stopped;

    public UnixStreamServer(UnixStreamOptions options, StreamFraming framing, StreamRequestHandler handler, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Path);
        _options = options;
        _framing = framing;
        _handler = handler;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The socket path.</summary>
    public string Path => _options.Path;

    /// <summary>Requests served.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Connections closed for a request that could never be framed, or one too long.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Creates the socket (its directory too) and starts accepting. Throws with the reason when it cannot.</summary>
    public void Start()
    {
        var path = _options.Path;
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        RemoveStaleSocket(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, _options.FileMode);
            }

            socket.Listen(_options.Backlog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _listener = socket;
        ListenerLog.UnixListening(_logger, _options.Name, path);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>A socket file nobody accepts on is left over from a crash: remove it. A live one is an error.</summary>
    private static void RemoveStaleSocket(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        if (new FileInfo(path).Length > 0)
        {
            throw new IOException($"{path} exists and is a regular file, not a socket; give another path or remove it");
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            File.Delete(path);
            return;
        }

        throw new IOException($"another process already listens on {path}; stop it or give another path");
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener!.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException e)
            {
                ListenerLog.AcceptFailed(_logger, _options.Name, e.SocketErrorCode);
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                continue;
            }
            catch (ObjectDisposedException)
            {
                break;
            }

            lock (_lock)
            {
                if (_connections.Count >= _options.MaxConnections)
                {
                    Interlocked.Increment(ref _rejected);
                    client.Dispose();
                    continue;
                }

                var task = ServeAsync(client, token);
                _connections.Add(task);
                _ = task.ContinueWith(t =>
                {
                    lock (_lock)
                    {
                        _connections.Remove(t);
                    }
                }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken stopping)
    {
        await Task.Yield();
        var buffer = new byte[Math.Min(_options.MaxRequestSize, 4096)];
        var filled = 0;
        try
        {
            using (client)
            {
                while (true)
                {
                    // Serve every complete request already buffered before reading more.
                    var length = _framing(buffer.AsSpan(0, filled));
                    if (length > 0)
                    {
                        Interlocked.Increment(ref _requests);
                        var reply = _handler(buffer.AsSpan(0, length));
                        buffer.AsSpan(length, filled - length).CopyTo(buffer);
                        filled -= length;
                        if (reply.Length > 0)
                        {
                            await client.SendAsync(reply, SocketFlags.None, stopping).ConfigureAwait(false);
                        }

                        if (_options.CloseAfterReply)
                        {
                            client.Shutdown(SocketShutdown.Both);
                            return;
                        }

                        continue;
                    }

                    if (length < 0 || filled >= _options.MaxRequestSize)
                    {
                        Interlocked.Increment(ref _rejected);
                        ListenerLog.StreamRequestRefused(_logger, _options.Name, filled, _options.MaxRequestSize);
                        return;
                    }

                    if (filled == buffer.Length)
                    {
                        Array.Resize(ref buffer, Math.Min(buffer.Length * 2, _options.MaxRequestSize));
                    }

                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                    idle.CancelAfter(_options.IdleTimeout);
                    var read = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, idle.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return; // the client closed its side
                    }

                    filled += read;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping, or the client stayed idle too long.
        }
        catch (SocketException)
        {
            // The client went away mid-request or mid-reply; nothing to answer.
        }
    }

    /// <summary>Stops accepting, ends the open connections (a request being served finishes) and removes the socket file.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        Task[] open;
        lock (_lock)
        {
            open = [.. _connections];
        }

        await Task.WhenAll(open).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_listener is not null)
        {
            try
            {
                File.Delete(_options.Path);
            }
            catch (IOException)
            {
                // Someone else's now; leave it.
            }

            ListenerLog.UnixStopped(_logger, _options.Name, _options.Path);
        }

        _stopping.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}

/// <summary>Settings of a <see cref="UnixStreamServer"/>; every property states its default.</summary>
public sealed class UnixStreamOptions
{
    /// <summary>The protocol's name in log lines, e.g. "mediaproxy".</summary>
    public string Name { get; set; } = "control";

    /// <summary>The socket's path. Required.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>The socket file's permissions: owner and group may connect. Default 0660.</summary>
    public UnixFileMode FileMode { get; set; } =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>Close the connection after each reply (one request per connection). Default false.</summary>
    public bool CloseAfterReply { get; set; }

    /// <summary>A connection with no complete request for this long is closed. Default 30 s.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest request; a longer one closes its connection. Default 64 KiB.</summary>
    public int MaxRequestSize { get; set; } = 65536;

    /// <summary>Connections open at once; more are closed at accept. Default 256.</summary>
    public int MaxConnections { get; set; } = 256;

    /// <summary>The listen backlog. Default 128.</summary>
    public int Backlog { get; set; } = 128;
}
