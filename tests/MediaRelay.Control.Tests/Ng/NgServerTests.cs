using System.Text;
using MediaRelay.Control.Ng;
using MediaRelay.Control.Ng.Commands;
using MediaRelay.Protocols.Bencode;
using Microsoft.Extensions.Time.Testing;

namespace MediaRelay.Control.Tests.Ng;

public class NgServerTests
{
    private static NgDispatcher PingDispatcher(params INgCommandHandler[] more)
    {
        var dispatcher = new NgDispatcher();
        dispatcher.Register(new PingCommand());
        foreach (var handler in more)
        {
            dispatcher.Register(handler);
        }

        return dispatcher;
    }

    [Fact]
    public async Task PingInBencodeGetsPongWithTheCookie()
    {
        await using var h = NgServerHarness.Start(PingDispatcher());

        var reply = await h.Client.RequestAsync("5323_1 d7:command4:pinge");

        Assert.Equal("5323_1 d6:result4:ponge", reply);
    }

    [Fact]
    public async Task PingInJsonGetsPongInJson()
    {
        await using var h = NgServerHarness.Start(PingDispatcher());

        var reply = await h.Client.RequestAsync("""abc {"command":"ping"}""");

        Assert.Equal("""abc {"result":"pong"}""", reply);
    }

    [Fact]
    public async Task EachCookieIsEchoedOnItsOwnReply()
    {
        await using var h = NgServerHarness.Start(PingDispatcher());

        foreach (var cookie in new[] { "1", "x9_77", "a-very-long-cookie-0123456789" })
        {
            var reply = await h.Client.RequestAsync(cookie + " d7:command4:pinge");
            Assert.Equal(cookie + " d6:result4:ponge", reply);
        }
    }

    [Fact]
    public async Task DatagramWithoutSpaceGetsNoReplyAndIsCounted()
    {
        await using var h = NgServerHarness.Start(PingDispatcher());

        h.Client.Send("d7:command4:pinge");
        h.Client.Send(" d7:command4:pinge"); // empty cookie
        var reply = await h.Client.ReceiveAsync(TimeSpan.FromMilliseconds(300));

        Assert.Null(reply);
        Assert.Equal(2, h.Server.DatagramsWithoutCookie);
        // The server still answers.
        Assert.Equal("c d6:result4:ponge", await h.Client.RequestAsync("c d7:command4:pinge"));
    }

    [Theory]
    [InlineData("d7:command4:ping")]
    [InlineData("i42e")]
    [InlineData("l4:pinge")]
    [InlineData("99999999999:")]
    [InlineData("")]
    [InlineData("{\"command\":")]
    [InlineData("[\"ping\"]")]
    public async Task MalformedBodyGetsAnErrorAndTheServerKeepsWorking(string body)
    {
        await using var h = NgServerHarness.Start(PingDispatcher());

        var reply = await h.Client.RequestAsync("bad " + body);
        var json = body.StartsWith('{');
        var expected = json
            ? """bad {"result":"error","error-reason":"Could not decode dictionary"}"""
            : "bad d6:result5:error12:error-reason27:Could not decode dictionarye";

        Assert.Equal(expected, reply);
        Assert.Equal(1, h.Server.MalformedMessages);
        Assert.Equal("good d6:result4:ponge", await h.Client.RequestAsync("good d7:command4:pinge"));
    }

    [Fact]
    public async Task BinaryGarbageGetsAnErrorReply()
    {
        await using var h = NgServerHarness.Start(PingDispatcher());
        var datagram = new byte[] { (byte)'g', (byte)' ', 0xFF, 0x00, 0xD8, (byte)'d', 0x80 };

        h.Client.Send(datagram);
        var reply = await h.Client.ReceiveAsync();

        Assert.NotNull(reply);
        Assert.Contains("Could not decode dictionary", Encoding.UTF8.GetString(reply), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetransmissionReplaysTheSameBytesWithoutRunningTheCommandAgain()
    {
        var handler = new CountingHandler("offer");
        await using var h = NgServerHarness.Start(PingDispatcher(handler));
        const string request = "77_3 d7:command5:offer7:call-id2:c1e";

        var first = await h.Client.RequestAsync(request);
        var second = await h.Client.RequestAsync(request);
        var third = await h.Client.RequestAsync(request);

        Assert.Equal(first, second);
        Assert.Equal(first, third);
        Assert.Equal(1, handler.Calls);
        Assert.Equal(2, h.Server.RepliesReplayed);
        // A new cookie runs the command again.
        await h.Client.RequestAsync("77_4 d7:command5:offer7:call-id2:c1e");
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task ReplayExpiresAfterTheCacheTime()
    {
        var clock = new FakeTimeProvider();
        var handler = new CountingHandler("offer");
        await using var h = NgServerHarness.Start(PingDispatcher(handler), clock, new NgOptions { ReplyCacheTime = TimeSpan.FromSeconds(45) });
        const string request = "k d7:command5:offere";

        await h.Client.RequestAsync(request);
        clock.Advance(TimeSpan.FromSeconds(44));
        await h.Client.RequestAsync(request);
        Assert.Equal(1, handler.Calls);

        clock.Advance(TimeSpan.FromSeconds(2));
        await h.Client.RequestAsync(request);
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task DuplicateArrivingWhileTheFirstRunsGetsTheSameReplyOnce()
    {
        using var gate = new SemaphoreSlim(0);
        var handler = new CountingHandler("offer") { Gate = gate };
        await using var h = NgServerHarness.Start(PingDispatcher(handler));
        const string request = "dup d7:command5:offer7:call-id2:c9e";

        h.Client.Send(request);
        Assert.True(await handler.Entered.WaitAsync(TimeSpan.FromSeconds(5)));
        h.Client.Send(request);
        // Let the duplicate reach the server and be queued behind the running command.
        while (h.Server.RepliesReplayed == 0)
        {
            await Task.Delay(5);
        }

        Assert.Null(await h.Client.ReceiveAsync(TimeSpan.FromMilliseconds(50)));
        gate.Release();
        var first = await h.Client.ReceiveAsync();
        var second = await h.Client.ReceiveAsync();

        Assert.NotNull(first);
        Assert.Equal(first, second);
        Assert.Equal(1, handler.Calls);
        Assert.Null(await h.Client.ReceiveAsync(TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task UnknownKeysAndFlagsAreIgnored()
    {
        var handler = new CountingHandler("offer");
        await using var h = NgServerHarness.Start(PingDispatcher(handler));
        var body = new BencodeDictionary
        {
            { "command", "offer" },
            { "call-id", "c1" },
            { "no-such-key", "whatever" },
            { "another", new BencodeList { "x", new BencodeInteger(3) } },
            { "flags", new BencodeList { "no-such-flag", "trust-address" } },
        };

        var reply = await h.RequestAsync("u1", body);

        Assert.Equal("ok", reply.GetString("result"));
        Assert.Equal("c1", reply.GetString("call-id"));
        Assert.Equal(1L, reply.GetInteger("trust"));
    }

    [Theory]
    [InlineData("call-id", "from-tag", "offer")]
    [InlineData("call_id", "from_tag", "Offer")]
    [InlineData("Call ID", "From Tag", "OFFER")]
    [InlineData("CALL-ID", "from-Tag", "offer")]
    public async Task KeySpellingsAreOneKey(string callIdKey, string fromTagKey, string command)
    {
        var handler = new CountingHandler("offer");
        await using var h = NgServerHarness.Start(PingDispatcher(handler));
        var body = new BencodeDictionary
        {
            { "Command", command },
            { callIdKey, "abc@host" },
            { fromTagKey, "tag1" },
            { "flags", new BencodeList { "Trust_Address" } },
        };

        var reply = await h.RequestAsync("s", body);

        Assert.Equal("abc@host", reply.GetString("call-id"));
        Assert.Equal("tag1", reply.GetString("from-tag"));
        Assert.Equal(1L, reply.GetInteger("trust"));
    }

    [Fact]
    public async Task UnrecognizedAndMissingCommandsAreErrors()
    {
        await using var h = NgServerHarness.Start(PingDispatcher());

        Assert.Equal("a d6:result5:error12:error-reason20:Unrecognized commande", await h.Client.RequestAsync("a d7:command5:frobne"));
        Assert.Equal("b d6:result5:error12:error-reason21:No command in messagee", await h.Client.RequestAsync("b d7:call-id1:xe"));
    }

    [Fact]
    public async Task AFailingHandlerGetsAnErrorReplyAndTheServerKeepsWorking()
    {
        await using var h = NgServerHarness.Start(PingDispatcher(new ThrowingHandler()));

        var reply = await h.RequestAsync("x", new BencodeDictionary { { "command", "explode" } });

        Assert.Equal("error", reply.GetString("result"));
        Assert.Equal(NgErrors.InternalError, reply.GetString("error-reason"));
        Assert.Equal("p d6:result4:ponge", await h.Client.RequestAsync("p d7:command4:pinge"));
    }

    [Fact]
    public async Task ListensOnIPv4AndIPv6AtOnce()
    {
        if (!System.Net.Sockets.Socket.OSSupportsIPv6)
        {
            return;
        }

        var dispatcher = PingDispatcher();
        var options = new NgOptions
        {
            ListenEndPoints = [new(System.Net.IPAddress.Loopback, 0), new(System.Net.IPAddress.IPv6Loopback, 0)],
        };
        await using var server = new NgServer(options, dispatcher);
        server.Start();

        Assert.Equal(2, server.LocalEndPoints.Count);
        foreach (var endPoint in server.LocalEndPoints)
        {
            Assert.NotEqual(0, endPoint.Port);
            using var client = new NgUdpClient(endPoint);
            Assert.Equal("6 d6:result4:ponge", await client.RequestAsync("6 d7:command4:pinge"));
        }
    }

    [Fact]
    public async Task StopClosesTheSocket()
    {
        var dispatcher = PingDispatcher();
        var server = new NgServer(new NgOptions { ListenEndPoints = [new(System.Net.IPAddress.Loopback, 0)] }, dispatcher);
        server.Start();
        var endPoint = server.LocalEndPoints[0];

        await server.StopAsync();

        // The port is free again: binding it succeeds.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        socket.Bind(endPoint);
        Assert.Equal(endPoint.Port, ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port);
    }
}
