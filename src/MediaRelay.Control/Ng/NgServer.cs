using System.Buffers;
using System.Net;
using MediaRelay.Control.Listeners;
using MediaRelay.Protocols.Bencode;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Control.Ng;

/// <summary>
/// The ng control server: UDP datagrams of the form <c>COOKIE SP BODY</c>, where BODY is a bencode dictionary or,
/// when it starts with '{', a JSON object; the reply is <c>COOKIE SP BODY</c> in the same encoding. The listening,
/// the worker threads (<see cref="NgOptions.Workers"/> per listener), the reply cache by cookie (retransmissions get
/// the same bytes without running the command again) and the stop are <see cref="CookieDatagramServer"/>'s, as for
/// rtpproxy's protocol; this class parses the body, dispatches the command and encodes the reply. A reply over
/// <see cref="NgOptions.MaxReplySize"/> is trimmed (<see cref="INgCommandHandler.Trim"/>), since one the socket
/// refuses never reaches the proxy.
/// Threading: Start and StopAsync from one thread; the counters may be read from any thread.
/// </summary>
public sealed class NgServer : IAsyncDisposable
{
    private readonly NgOptions _options;
    private readonly NgDispatcher _dispatcher;
    private readonly ILogger _logger;
    private readonly CookieDatagramServer _server;
    private long _malformed;
    private long _handled;
    private long _trimmed;

    public NgServer(NgOptions options, NgDispatcher dispatcher, TimeProvider? time = null, ILogger<NgServer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dispatcher);
        _options = options;
        _dispatcher = dispatcher;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _server = new CookieDatagramServer(
            new CookieDatagramOptions
            {
                Name = "ng",
                ThreadName = "ng",
                EndPoints = options.ListenEndPoints,
                ReplyCacheTime = options.ReplyCacheTime,
                ReplyCacheCapacity = options.ReplyCacheCapacity,
                ReplyCacheBytes = options.ReplyCacheBytes,
                MaxDatagramSize = options.MaxDatagramSize,
                Workers = options.Workers,
            },
            WriteReply,
            time,
            _logger);
    }

    /// <summary>The endpoints actually bound (a configured port 0 shows the port the system chose).</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => _server.LocalEndPoints;

    /// <summary>Every datagram received.</summary>
    public long DatagramsReceived => _server.DatagramsReceived;

    /// <summary>Datagrams with no space after a cookie; they get no reply.</summary>
    public long DatagramsWithoutCookie => _server.DatagramsWithoutCookie;

    /// <summary>Bodies that were neither a bencode dictionary nor a JSON object; each got an error reply.</summary>
    public long MalformedMessages => Interlocked.Read(ref _malformed);

    /// <summary>Retransmissions answered from the reply cache (including copies that waited for the first).</summary>
    public long RepliesReplayed => _server.RepliesReplayed;

    /// <summary>Well-formed messages handed to the dispatcher.</summary>
    public long CommandsHandled => Interlocked.Read(ref _handled);

    /// <summary>Replies over <see cref="NgOptions.MaxReplySize"/>, sent trimmed.</summary>
    public long RepliesTrimmed => Interlocked.Read(ref _trimmed);

    /// <summary>Binds every endpoint of <see cref="NgOptions.ListenEndPoints"/> and starts receiving. Throws when one cannot be bound.</summary>
    public void Start() => _server.Start();

    /// <summary>
    /// Stops receiving, drops the commands not started yet (a flood's backlog must not hold up the stop; they get
    /// no reply, as if lost on the way), waits for the running ones and closes the sockets.
    /// </summary>
    public Task StopAsync() => _server.StopAsync();

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>Runs the command of one datagram; the reply datagram is what <paramref name="output"/> holds after.</summary>
    private void WriteReply(ReadOnlySpan<byte> datagram, int space, string cookie, EndPoint remote, ArrayBufferWriter<byte> output)
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
}
