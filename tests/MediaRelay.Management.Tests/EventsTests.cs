using System.Net.ServerSentEvents;
using System.Text.Json;
using MediaRelay.Management.Api;
using MediaRelay.Management.Tests.Infrastructure;

namespace MediaRelay.Management.Tests;

/// <summary><c>/api/events</c> read by .NET's own server-sent events parser.</summary>
[Collection(ManagementCollection.Name)]
public sealed class EventsTests
{
    [Fact(Timeout = 120_000)]
    public async Task The_stream_delivers_session_started_totals_and_session_ended()
    {
        using var relay = await RunningRelay.StartAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await relay.Http.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var body = await response.Content.ReadAsStreamAsync(cancel.Token);
        var events = SseParser.Create(body).EnumerateAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);

        Assert.Equal("hello", (await NextAsync(events, _ => true)).EventType);
        using var call = await MediaCall.StartAsync(relay, "evented");
        var started = await NextAsync(events, e => e.EventType == "session_started");
        var startedView = JsonSerializer.Deserialize<SessionView>(started.Data, ManagementJson.Options)!;
        Assert.Equal("evented", startedView.CallId);
        Assert.Equal("a", startedView.FromTag);
        Assert.Equal("active", startedView.State);

        call.Exchange(200, 200);
        var totals = JsonSerializer.Deserialize<TotalsView>((await NextAsync(events, e => e.EventType == "totals")).Data, ManagementJson.Options)!;
        Assert.Equal(1, totals.SessionCount);
        Assert.Equal(1, totals.StreamCount);
        Assert.Equal(4, totals.PortsUsed);

        await relay.TerminateAsync("evented");
        var ended = JsonSerializer.Deserialize<SessionView>((await NextAsync(events, e => e.EventType == "session_ended")).Data, ManagementJson.Options)!;
        Assert.Equal("evented", ended.CallId);
        Assert.Equal("terminated", ended.State);
        Assert.Equal(400, ended.Streams[0].Caller.Rtp.Packets + ended.Streams[0].Callee.Rtp.Packets);
        var after = JsonSerializer.Deserialize<TotalsView>((await NextAsync(events, e => e.EventType == "totals")).Data, ManagementJson.Options)!;
        Assert.Equal(0, after.SessionCount);
        Assert.True(after.PacketsTotal >= 400, $"packets_total {after.PacketsTotal}");
    }

    private static async Task<SseItem<string>> NextAsync(IAsyncEnumerator<SseItem<string>> events, Func<SseItem<string>, bool> wanted)
    {
        while (await events.MoveNextAsync())
        {
            if (wanted(events.Current))
            {
                return events.Current;
            }
        }

        throw new InvalidOperationException("the event stream ended");
    }
}
