using MediaRelay.Control.Ng;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Tests.Ng;

/// <summary>
/// Issue 15, finding 8: the stop must not run a flood's backlog. Commands already running finish and are answered;
/// commands not started are dropped: since the ng workers run commands themselves (issue 10), the backlog waits in
/// the socket's queue, unread, and goes with the socket.
/// </summary>
public class NgServerStopTests
{
    [Fact]
    public async Task Stop_drops_the_commands_not_started_and_answers_the_running_ones()
    {
        using var gate = new SemaphoreSlim(0);
        var handler = new CountingHandler("offer") { Gate = gate };
        var dispatcher = new NgDispatcher();
        dispatcher.Register(handler);
        await using var h = NgServerHarness.Start(dispatcher);

        // Every handler blocks on the gate, so the server's few workers hold a few commands and the rest wait.
        const int Sent = 200;
        for (var i = 0; i < Sent; i++)
        {
            var body = BencodeWriter.ToArray(new BencodeDictionary { { "call-id", $"c{i}" }, { "command", "offer" } });
            h.Client.Send([.. System.Text.Encoding.ASCII.GetBytes($"s{i} "), .. body]);
        }

        // Waits that need no pool thread (kept from when commands ran on the pool).
        Assert.True(handler.Entered.Wait(TimeSpan.FromSeconds(5)));
        var received = 0L;
        for (var settled = 0; settled < 10; settled = received == h.Server.DatagramsReceived ? settled + 1 : 0)
        {
            received = h.Server.DatagramsReceived;
            Thread.Sleep(20);
        }

        var stop = h.Server.StopAsync();
        Thread.Sleep(100);
        Assert.False(stop.IsCompleted, "the stop did not wait for the running commands");
        var running = handler.Calls;
        gate.Release(Sent);
        await stop.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(running < Sent / 2, $"{running} of {Sent} commands ran ({received} received): the backlog was not dropped");
        Assert.Equal(running, handler.Calls);
        var replies = 0;
        while (await h.Client.ReceiveAsync(TimeSpan.FromMilliseconds(200)) is not null)
        {
            replies++;
        }

        Assert.Equal(running, replies);
    }
}
