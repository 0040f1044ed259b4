using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace MediaRelay.EndToEnd.Tests.Ng;

/// <summary>
/// A minimal client of the rtpengine "ng" control protocol: one UDP datagram per command, "COOKIE bencoded-dict",
/// the reply echoes the cookie. Every command gets a fresh cookie because rtpengine answers a repeated cookie from its
/// reply cache without running the command again. Not thread safe: one command at a time.
/// </summary>
internal sealed class NgClient : IDisposable
{
    private readonly UdpClient _udp;
    private readonly IPEndPoint _server;

    public NgClient(IPEndPoint server)
    {
        _server = server;
        _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
    }

    /// <summary>Sends <paramref name="command"/> and returns the reply dictionary, or throws if none came.</summary>
    public async Task<SortedDictionary<string, object>> SendAsync(
        IDictionary<string, object> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var cookie = Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        var payload = Encoding.ASCII.GetBytes(cookie + " ").Concat(Bencode.Encode(command)).ToArray();
        await _udp.SendAsync(payload, _server, cancellationToken);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            UdpReceiveResult received;
            try
            {
                received = await _udp.ReceiveAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no ng reply to '{command["command"]}' from {_server} within {timeout.TotalMilliseconds} ms");
            }

            var buffer = received.Buffer;
            var space = Array.IndexOf(buffer, (byte)' ');
            if (space <= 0 || Encoding.ASCII.GetString(buffer, 0, space) != cookie)
            {
                continue; // A late reply to an earlier command that timed out.
            }

            if (!Bencode.TryDecode(buffer.AsSpan(space + 1), out var value, out var error))
            {
                throw new InvalidDataException($"ng reply to '{command["command"]}' is not bencode ({error}): {Encoding.Latin1.GetString(buffer)}");
            }

            return value as SortedDictionary<string, object>
                ?? throw new InvalidDataException($"ng reply to '{command["command"]}' is not a dictionary");
        }
    }

    public async Task<bool> PingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await SendAsync(Command("ping"), timeout, cancellationToken);
            return reply.TryGetValue("result", out var result) && result is "pong";
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (SocketException)
        {
            return false; // ICMP port unreachable while the relay is still starting.
        }
    }

    /// <summary>The Call-IDs the relay currently holds ("list" command, "calls" key).</summary>
    public async Task<IReadOnlyList<string>> ListCallsAsync(CancellationToken cancellationToken)
    {
        var reply = await SendOkAsync(Command("list"), cancellationToken);
        return reply.TryGetValue("calls", out var calls) && calls is List<object> list
            ? list.OfType<string>().ToList()
            : throw new InvalidDataException("ng 'list' reply has no 'calls' list");
    }

    /// <summary>The "query" reply for one call, or null if the relay no longer knows it.</summary>
    public async Task<SortedDictionary<string, object>?> QueryAsync(string callId, CancellationToken cancellationToken)
    {
        var command = Command("query");
        command["call-id"] = callId;
        var reply = await SendAsync(command, TimeSpan.FromSeconds(2), cancellationToken);
        return reply.TryGetValue("result", out var result) && result is "ok" ? reply : null;
    }

    public Task<SortedDictionary<string, object>> StatisticsAsync(CancellationToken cancellationToken) =>
        SendOkAsync(Command("statistics"), cancellationToken);

    public void Dispose() => _udp.Dispose();

    private async Task<SortedDictionary<string, object>> SendOkAsync(
        Dictionary<string, object> command, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(command, TimeSpan.FromSeconds(2), cancellationToken);
        if (!reply.TryGetValue("result", out var result) || result is not "ok")
        {
            reply.TryGetValue("error-reason", out var reason);
            throw new InvalidDataException($"ng '{command["command"]}' failed: result={result ?? "(none)"} error-reason={reason ?? "(none)"}");
        }

        return reply;
    }

    private static Dictionary<string, object> Command(string name) => new(StringComparer.Ordinal) { ["command"] = name };
}
