using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MediaRelay.Management.Events;

/// <summary><c>GET /api/events</c>: the hub's events as server-sent events, until the client goes or the relay stops.</summary>
public static class EventsEndpoint
{
    public static void Map(IEndpointRouteBuilder routes, EventHub hub) =>
        routes.MapGet("/api/events", (HttpContext context) =>
        {
            // Through proxies such as nginx: no buffering of the stream.
            context.Response.Headers["X-Accel-Buffering"] = "no";
            return TypedResults.ServerSentEvents(Read(hub, context.RequestAborted));
        });

    private static async IAsyncEnumerable<SseItem<string>> Read(EventHub hub, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var reader = hub.Subscribe(out var unsubscribe);
        try
        {
            // A first comment-free event at once, so a client knows the stream is open before the first second passes.
            yield return new SseItem<string>("{}", "hello");
            while (await reader.WaitToReadAsync(cancellation).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
        finally
        {
            unsubscribe();
        }
    }
}
