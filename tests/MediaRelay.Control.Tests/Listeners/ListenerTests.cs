using System.Net;
using System.Net.Sockets;
using System.Text;
using MediaRelay.Control.Listeners;

namespace MediaRelay.Control.Tests.Listeners;

/// <summary>The control listeners that MediaProxy's and rtpproxy's protocols use, over real sockets.</summary>
public sealed class ListenerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mr-listener-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static int FrameByEmptyLine(ReadOnlySpan<byte> buffered)
    {
        var end = buffered.IndexOf("\n\n"u8);
        return end < 0 ? 0 : end + 2;
    }

    [Fact]
    public async Task A_retransmitted_datagram_gets_the_same_reply_without_running_again()
    {
        var runs = 0;
        await using var server = new CookieDatagramServer(
            new CookieDatagramOptions { EndPoints = [new IPEndPoint(IPAddress.Loopback, 0)] },
            datagram => Encoding.ASCII.GetBytes($"{Encoding.ASCII.GetString(datagram).Split(' ')[0]} run {Interlocked.Increment(ref runs)}\n"));
        server.Start();
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        client.Client.ReceiveTimeout = 2000;

        async Task<string> Send(string text)
        {
            await client.SendAsync(Encoding.ASCII.GetBytes(text), server.LocalEndPoints[0]);
            using var timeout = new CancellationTokenSource(2000);
            return Encoding.ASCII.GetString((await client.ReceiveAsync(timeout.Token)).Buffer);
        }

        Assert.Equal("7_1 run 1\n", await Send("7_1 U call"));
        Assert.Equal("7_1 run 1\n", await Send("7_1 U call"));
        Assert.Equal("7_2 run 2\n", await Send("7_2 U call"));
        await client.SendAsync("nocookie"u8.ToArray(), server.LocalEndPoints[0]);
        Assert.Equal("7_3 run 3\n", await Send("7_3 V"));

        Assert.Equal(3, runs);
        Assert.Equal(1, server.RepliesReplayed);
        Assert.Equal(1, server.DatagramsWithoutCookie);
    }

    [Fact]
    public async Task A_command_that_failed_without_a_reply_runs_again_when_retransmitted()
    {
        var runs = 0;
        await using var server = new CookieDatagramServer(
            new CookieDatagramOptions { EndPoints = [new IPEndPoint(IPAddress.Loopback, 0)] },
            datagram => Interlocked.Increment(ref runs) == 1
                ? throw new InvalidOperationException("a bug in the handler")
                : Encoding.ASCII.GetBytes("9_1 ok\n"));
        server.Start();
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        await client.SendAsync("9_1 V"u8.ToArray(), server.LocalEndPoints[0]);
        using (var quiet = new CancellationTokenSource(500))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await client.ReceiveAsync(quiet.Token));
        }

        // The proxy retransmits: the command runs again and this time answers.
        await client.SendAsync("9_1 V"u8.ToArray(), server.LocalEndPoints[0]);
        using var timeout = new CancellationTokenSource(2000);
        Assert.Equal("9_1 ok\n", Encoding.ASCII.GetString((await client.ReceiveAsync(timeout.Token)).Buffer));
        Assert.Equal(2, runs);
        Assert.Equal(0, server.RepliesReplayed);
    }

    [Fact]
    public async Task One_connection_carries_request_after_request_and_the_socket_file_goes_at_stop()
    {
        var path = Path.Combine(_directory, "sub", "control.sock");
        var server = new UnixStreamServer(new UnixStreamOptions { Path = path }, FrameByEmptyLine,
            request => Encoding.ASCII.GetBytes("got " + Encoding.ASCII.GetString(request).Trim() + "\r\n"));
        server.Start();
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(path));

        // Two requests in one write, then one in two writes: each gets its own line, in order.
        await client.SendAsync("a\n\nb\n\n"u8.ToArray());
        Assert.Equal("got a\r\ngot b\r\n", await ReadAsync(client, 14));
        await client.SendAsync("c\n"u8.ToArray());
        await client.SendAsync("\n"u8.ToArray());
        Assert.Equal("got c\r\n", await ReadAsync(client, 7));

        await server.StopAsync();
        Assert.False(File.Exists(path));
        Assert.Equal(3, server.Requests);
    }

    [Fact]
    public async Task A_stale_socket_file_is_replaced_but_a_live_one_is_refused()
    {
        var path = Path.Combine(_directory, "stale.sock");
        // What a crash leaves: a socket file nobody listens on (.NET unlinks on dispose; a killed process does not).
        using (var crashed = System.Diagnostics.Process.Start("python3", ["-c", $"import socket; socket.socket(socket.AF_UNIX).bind('{path}')"]))
        {
            await crashed.WaitForExitAsync();
        }

        Assert.True(File.Exists(path));
        await using var first = new UnixStreamServer(new UnixStreamOptions { Path = path }, FrameByEmptyLine, _ => "x\r\n"u8.ToArray());
        first.Start();

        await using var second = new UnixStreamServer(new UnixStreamOptions { Path = path }, FrameByEmptyLine, _ => "y\r\n"u8.ToArray());
        var error = Assert.Throws<IOException>(second.Start);
        Assert.Contains("already listens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_over_the_limit_closes_its_connection_and_others_are_served()
    {
        var path = Path.Combine(_directory, "limit.sock");
        await using var server = new UnixStreamServer(new UnixStreamOptions { Path = path, MaxRequestSize = 64 }, FrameByEmptyLine, _ => "ok\r\n"u8.ToArray());
        server.Start();
        using var flooder = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await flooder.ConnectAsync(new UnixDomainSocketEndPoint(path));
        await flooder.SendAsync(new byte[200]);

        Assert.Equal(0, await ReceiveOrResetAsync(flooder)); // closed without a reply
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(path));
        await client.SendAsync("q\n\n"u8.ToArray());
        Assert.Equal("ok\r\n", await ReadAsync(client, 4));
        Assert.Equal(1, server.Rejected);
    }

    [Fact]
    public async Task Close_after_reply_serves_one_command_per_connection()
    {
        var path = Path.Combine(_directory, "once.sock");
        await using var server = new UnixStreamServer(new UnixStreamOptions { Path = path, CloseAfterReply = true },
            buffered => buffered.Length, request => Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(request) + "!\n"));
        server.Start();
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(path));
        await client.SendAsync("V"u8.ToArray());

        Assert.Equal("V!\n", await ReadAsync(client, 3));
        Assert.Equal(0, await client.ReceiveAsync(new byte[16]));
    }

    /// <summary>What a read returns when the server closed the connection: 0, or a reset when unread bytes were dropped.</summary>
    private static async Task<int> ReceiveOrResetAsync(Socket socket)
    {
        try
        {
            return await socket.ReceiveAsync(new byte[16]);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return 0;
        }
    }

    private static async Task<string> ReadAsync(Socket socket, int length)
    {
        var buffer = new byte[length];
        var filled = 0;
        using var timeout = new CancellationTokenSource(3000);
        while (filled < length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return Encoding.ASCII.GetString(buffer, 0, filled);
    }
}
