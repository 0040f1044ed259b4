using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.EndToEnd.Tests.Ng;

/// <summary>
/// A minimal client of the rtpengine "ng" control protocol: one UDP datagram per command, "COOKIE bencoded-dict",
/// the reply echoes the cookie. Every command gets a fresh cookie because rtpengine answers a repeated cookie from its
/// reply cache without running the command again. Not thread safe: one command at a time. Bencode itself is the
/// relay's shared codec (MediaRelay.Protocols.Bencode); commands are built with their keys in sorted order so the
/// bytes on the wire are strict bencode, which both relays under test accept.
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
    public async Task<BencodeDictionary> SendAsync(BencodeDictionary command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var name = command.GetString("command");
        var cookie = Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        var payload = Encoding.ASCII.GetBytes(cookie + " ").Concat(BencodeWriter.ToArray(command)).ToArray();
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
                throw new TimeoutException($"no ng reply to '{name}' from {_server} within {timeout.TotalMilliseconds} ms");
            }

            var buffer = received.Buffer;
            var space = Array.IndexOf(buffer, (byte)' ');
            if (space <= 0 || Encoding.ASCII.GetString(buffer, 0, space) != cookie)
            {
                continue; // A late reply to an earlier command that timed out.
            }

            if (!BencodeReader.TryParse(buffer.AsSpan(space + 1), out var value, out var error))
            {
                throw new InvalidDataException($"ng reply to '{name}' is not bencode ({error}): {Encoding.Latin1.GetString(buffer)}");
            }

            return value as BencodeDictionary
                ?? throw new InvalidDataException($"ng reply to '{name}' is not a dictionary");
        }
    }

    public async Task<bool> PingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await SendAsync(Command("ping"), timeout, cancellationToken);
            return reply.GetString("result") == "pong";
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

    /// <summary>
    /// The Call-IDs the relay currently holds ("list" command, "calls" key). Call-IDs are read as Latin-1 (one char
    /// per byte) so that <see cref="QueryAsync"/> sends back exactly the bytes the relay listed.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListCallsAsync(CancellationToken cancellationToken)
    {
        var reply = await SendOkAsync(Command("list"), cancellationToken);
        return reply.GetList("calls") is { } calls
            ? calls.Items.OfType<BencodeString>().Select(s => Encoding.Latin1.GetString(s.Bytes.Span)).ToList()
            : throw new InvalidDataException("ng 'list' reply has no 'calls' list");
    }

    /// <summary>The "query" reply for one call, or null if the relay no longer knows it.</summary>
    public async Task<BencodeDictionary?> QueryAsync(string callId, CancellationToken cancellationToken)
    {
        // Keys in sorted order: "call-id" before "command".
        var command = new BencodeDictionary
        {
            { "call-id", new BencodeString(Encoding.Latin1.GetBytes(callId)) },
            { "command", "query" },
        };
        var reply = await SendAsync(command, TimeSpan.FromSeconds(2), cancellationToken);
        return reply.GetString("result") == "ok" ? reply : null;
    }

    public Task<BencodeDictionary> StatisticsAsync(CancellationToken cancellationToken) =>
        SendOkAsync(Command("statistics"), cancellationToken);

    public void Dispose() => _udp.Dispose();

    private async Task<BencodeDictionary> SendOkAsync(BencodeDictionary command, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(command, TimeSpan.FromSeconds(2), cancellationToken);
        var result = reply.GetString("result");
        if (result != "ok")
        {
            var reason = reply.GetString("error-reason");
            throw new InvalidDataException($"ng '{command.GetString("command")}' failed: result={result ?? "(none)"} error-reason={reason ?? "(none)"}");
        }

        return reply;
    }

    private static BencodeDictionary Command(string name) => new() { { "command", name } };
}
