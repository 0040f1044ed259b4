using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.LoadGen.Ng;

/// <summary>The outcome of one ng command: the decoded reply (or null) and the wall time from first send.</summary>
internal readonly record struct NgResult(BencodeDictionary? Reply, string? Error, long ElapsedTicks)
{
    public bool Ok => Reply is not null && Error is null;

    public string? Sdp => Reply?.GetString("sdp");
}

/// <summary>
/// ng over UDP: one socket, many commands in flight, replies matched by cookie. Retransmits with the same cookie
/// (rtpengine caches replies by cookie, so a retransmitted offer does not create a second call).
/// Thread-safe: any number of callers may await <see cref="SendAsync"/> at once. Bencode itself is
/// MediaRelay.Protocols.Bencode; this class only adds the "cookie SP" framing and sorts command keys.
/// Cheap per command, because the generator shares the machine with the relay it measures: one thread receives
/// with a blocking call and resumes the waiting caller inline (its next command is sent from that thread), sends
/// are synchronous (a UDP send does not wait), and the retransmission timer goes as soon as the reply is there.
/// Under load the receive thread hardly sleeps, so a command costs no thread hand-off (the thread pool's hops and
/// a live timer per command made the generator cost more CPU per call than the relay it measured).
/// </summary>
internal sealed class NgClient : IDisposable
{
    private readonly Socket _socket;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<byte[]>> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _receiveLoop;
    private readonly string _cookiePrefix;
    private readonly TimeSpan _retransmitAfter;
    private readonly int _attempts;
    private long _nextCookie;

    public NgClient(IPEndPoint relay, TimeSpan retransmitAfter, int attempts)
    {
        _socket = new Socket(relay.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.ReceiveBufferSize = 4 << 20;
        _socket.Connect(relay);
        _retransmitAfter = retransmitAfter;
        _attempts = attempts;
        _cookiePrefix = Environment.ProcessId.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "_"
            + Stopwatch.GetTimestamp().ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "_";
        _receiveLoop = new Thread(ReceiveLoop) { IsBackground = true, Name = "ng-client-receive" };
        _receiveLoop.Start();
    }

    /// <summary>Encodes "cookie d...e" with the command's keys sorted (strict bencode, as before).</summary>
    public static byte[] EncodeCommand(string cookie, BencodeDictionary command)
    {
        var sorted = new BencodeDictionary();
        foreach (var entry in command.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            sorted.Add(entry.Key, entry.Value);
        }

        var prefix = Encoding.ASCII.GetBytes(cookie + " ");
        var body = BencodeWriter.ToArray(sorted);
        var datagram = new byte[prefix.Length + body.Length];
        prefix.CopyTo(datagram, 0);
        body.CopyTo(datagram, prefix.Length);
        return datagram;
    }

    /// <summary>Splits "cookie d...e" and decodes the top-level dictionary. Never throws on wire input.</summary>
    public static bool TryDecodeReply(ReadOnlySpan<byte> datagram, out string cookie, out BencodeDictionary? reply)
    {
        reply = null;
        var space = datagram.IndexOf((byte)' ');
        cookie = space <= 0 ? string.Empty : Encoding.ASCII.GetString(datagram[..space]);
        if (space <= 0 || !BencodeReader.TryParse(datagram[(space + 1)..], out var value, out _))
        {
            return false;
        }

        reply = value as BencodeDictionary;
        return reply is not null;
    }

    /// <summary>Returns the cookie of a datagram, or null, without decoding the body.</summary>
    public static string? PeekCookie(ReadOnlySpan<byte> datagram)
    {
        var space = datagram.IndexOf((byte)' ');
        return space <= 0 ? null : Encoding.ASCII.GetString(datagram[..space]);
    }

    public async Task<NgResult> SendAsync(BencodeDictionary command)
    {
        var cookie = _cookiePrefix + Interlocked.Increment(ref _nextCookie).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var datagram = EncodeCommand(cookie, command);
        // Continuations run inline on the receive thread: the caller's next command goes out without a hand-off.
        var completion = new TaskCompletionSource<byte[]>();
        _pending[cookie] = completion;
        var started = Stopwatch.GetTimestamp();
        try
        {
            for (var attempt = 0; attempt < _attempts; attempt++)
            {
                try
                {
                    _socket.Send(datagram, SocketFlags.None);
                }
                catch (SocketException exception)
                {
                    return new NgResult(null, "send: " + exception.SocketErrorCode, Stopwatch.GetTimestamp() - started);
                }

                byte[] raw;
                try
                {
                    raw = await completion.Task.WaitAsync(_retransmitAfter);
                }
                catch (TimeoutException)
                {
                    continue; // no reply in time: the same datagram again
                }

                var elapsed = Stopwatch.GetTimestamp() - started;
                if (!TryDecodeReply(raw, out _, out var reply) || reply is null)
                {
                    return new NgResult(null, "undecodable reply", elapsed);
                }

                var result = reply.GetString("result");
                if (result != "ok")
                {
                    var reason = reply.ContainsKey("error-reason") ? reply.GetString("error-reason") : result;
                    return new NgResult(reply, "result=" + (reason ?? "missing"), elapsed);
                }

                return new NgResult(reply, null, elapsed);
            }

            return new NgResult(null, "timeout", Stopwatch.GetTimestamp() - started);
        }
        finally
        {
            _pending.TryRemove(cookie, out _);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        // Closing the socket ends the blocking receive.
        _receiveLoop.Join(TimeSpan.FromSeconds(1));
        _stop.Dispose();
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = _socket.Receive(buffer, SocketFlags.None);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                // ICMP port unreachable while the relay is not up yet: keep listening, the sender retransmits.
                continue;
            }

            var cookie = PeekCookie(buffer.AsSpan(0, length));
            if (cookie is not null && _pending.TryGetValue(cookie, out var completion))
            {
                completion.TrySetResult(buffer.AsSpan(0, length).ToArray());
            }
        }
    }
}
