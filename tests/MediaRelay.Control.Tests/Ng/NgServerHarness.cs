using System.Net;
using MediaRelay.Control.Ng;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Tests.Ng;

/// <summary>A running ng server on 127.0.0.1, port chosen by the system, with a client connected to it.</summary>
internal sealed class NgServerHarness : IAsyncDisposable
{
    private NgServerHarness(NgDispatcher dispatcher, NgServer server)
    {
        Dispatcher = dispatcher;
        Server = server;
        Client = new NgUdpClient(server.LocalEndPoints[0]);
    }

    public NgDispatcher Dispatcher { get; }

    public NgServer Server { get; }

    public NgUdpClient Client { get; }

    public static NgServerHarness Start(NgDispatcher dispatcher, TimeProvider? time = null, NgOptions? options = null)
    {
        options ??= new NgOptions();
        options.ListenEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)];
        var server = new NgServer(options, dispatcher, time);
        server.Start();
        return new NgServerHarness(dispatcher, server);
    }

    /// <summary>Sends <c>cookie body</c> in bencode and returns the decoded reply after checking the cookie.</summary>
    public async Task<BencodeDictionary> RequestAsync(string cookie, BencodeDictionary body)
    {
        var raw = await Client.RequestAsync(cookie + " " + System.Text.Encoding.UTF8.GetString(BencodeWriter.ToArray(body)));
        Assert.StartsWith(cookie + " ", raw, StringComparison.Ordinal);
        Assert.True(BencodeReader.TryParse(System.Text.Encoding.UTF8.GetBytes(raw[(cookie.Length + 1)..]), out var reply, out var error), error);
        return Assert.IsType<BencodeDictionary>(reply);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
