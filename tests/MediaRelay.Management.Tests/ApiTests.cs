using System.Net;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.Management.Tests.Infrastructure;

namespace MediaRelay.Management.Tests;

/// <summary>The JSON API over real HTTP, against a relay process carrying real calls over loopback UDP.</summary>
[Collection(ManagementCollection.Name)]
public sealed class ApiTests
{
    [Fact(Timeout = 120_000)]
    public async Task Every_field_agrees_with_the_relays_own_counters()
    {
        using var relay = await RunningRelay.StartAsync();
        using var both = await MediaCall.StartAsync(relay, "both-ways");
        using var oneWay = await MediaCall.StartAsync(relay, "one-way");
        Assert.Equal((50, 40), both.Exchange(50, 40));
        Assert.Equal((30, 0), oneWay.Exchange(30, 0));
        await Task.Delay(2500); // kernel counters are read once a second: let both reads settle

        long packets = 0, bytes = 0, kernel = 0, errors = 0;
        var page = await relay.SessionsAsync();
        Assert.Equal(2, page.Total);
        Assert.Equal(["both-ways", "one-way"], page.Sessions.Select(s => s.CallId));
        foreach (var listed in page.Sessions)
        {
            var query = await relay.Ng.QueryAsync(listed.CallId, CancellationToken.None);
            Assert.NotNull(query);
            var api = await relay.SessionAsync(listed.CallId);
            NgAgreement.AssertSame(query, api);
            NgAgreement.AssertSame(query, listed);
            Assert.Equal("a", api.FromTag);
            Assert.Equal("b", api.ToTag);
            Assert.InRange(api.Duration, 2.5, 60);
            var stream = Assert.Single(api.Streams);
            Assert.Equal("audio", stream.Type);
            Assert.Equal("PCMU", stream.Codec);
            Assert.Equal("active", stream.State);
            Assert.False(stream.OnHold);
            Assert.Equal(stream.KernelDirections > 0 ? "kernel" : "userspace", stream.Path);
            Assert.Equal("sendrecv", stream.Caller.Direction);
            packets += api.Packets;
            bytes += api.Bytes;
            kernel += api.KernelPackets;
            errors += api.Errors;
        }

        var bothWays = await relay.SessionAsync("both-ways");
        Assert.True(bothWays.Streams[0].Latched);
        Assert.Equal(50 + 40, bothWays.Streams[0].Caller.Rtp.Packets + bothWays.Streams[0].Callee.Rtp.Packets);
        Assert.Equal(both.Caller.EndPoint.ToString(), bothWays.Streams[0].Caller.Rtp.Learned);
        Assert.Equal($"127.0.0.1:{both.CallerFacing}", bothWays.Streams[0].Caller.Rtp.Relay);
        var oneWayView = await relay.SessionAsync("one-way");
        Assert.False(oneWayView.Streams[0].Latched);
        Assert.Null(oneWayView.Streams[0].Callee.Rtp.Learned);
        Assert.Equal(30, oneWayView.Streams[0].Caller.Rtp.Packets);

        var summary = await relay.SummaryAsync();
        var statistics = await relay.Ng.StatisticsAsync(CancellationToken.None);
        Assert.Equal(NgReply.Integer(statistics, "statistics", "currentstatistics", "sessionsown"), summary.SessionCount);
        Assert.Equal(NgReply.Integer(statistics, "statistics", "totalstatistics", "managedsessions"), summary.SessionsTotal);
        Assert.Equal(NgReply.Integer(statistics, "statistics", "totalstatistics", "endedsessions"), summary.SessionsEnded);
        Assert.Equal(NgReply.Integer(statistics, "statistics", "totalstatistics", "timeoutsessions"), summary.SessionsTimedOut);
        Assert.Equal(NgReply.Integer(statistics, "statistics", "ports", "used"), summary.PortsUsed);
        Assert.Equal(NgReply.Integer(statistics, "statistics", "ports", "free"), summary.PortsFree);
        Assert.Equal(NgReply.Integer(statistics, "statistics", "ports", "total"), summary.PortsTotal);
        Assert.InRange(summary.Uptime, 0, NgReply.Integer(statistics, "statistics", "totalstatistics", "uptime")!.Value + 1);
        Assert.Equal(8, summary.PortsUsed);
        Assert.Equal(relay.PortMax - relay.PortMin + 1, summary.PortsTotal);
        Assert.Equal(new Dictionary<string, int> { ["audio"] = 2 }, summary.StreamCount);
        Assert.Equal(2, summary.UserspaceStreams + summary.KernelStreams);
        Assert.Equal(packets, summary.PacketsTotal);
        Assert.Equal(bytes, summary.BytesTotal);
        Assert.Equal(kernel, summary.KernelPacketsTotal);
        Assert.Equal(errors, summary.PacketErrorsTotal);
        Assert.Equal(0, summary.BpsRelayed); // nothing flowed in the last second
        Assert.Equal("active", summary.Status);
        Assert.Equal("127.0.0.1", summary.Ip);
        Assert.Matches(@"^\d+\.\d+\.\d+$", summary.Version);
    }

    [Fact(Timeout = 120_000)]
    public async Task Pages_hold_every_call_once_oldest_first()
    {
        using var relay = await RunningRelay.StartAsync();
        var calls = new List<MediaCall>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                calls.Add(await MediaCall.StartAsync(relay, $"paged-{i}"));
            }

            var seen = new List<string>();
            for (var offset = 0; offset < 6; offset += 2)
            {
                var page = await relay.SessionsAsync(offset, 2);
                Assert.Equal(5, page.Total);
                Assert.Equal(offset, page.Offset);
                Assert.Equal(2, page.Limit);
                Assert.Equal(Math.Min(2, 5 - offset), page.Sessions.Count);
                seen.AddRange(page.Sessions.Select(s => s.CallId));
            }

            Assert.Equal(await relay.Ng.ListCallsAsync(CancellationToken.None), seen);
            var filtered = await relay.GetAsync<Api.SessionPage>("/api/sessions?filter=paged-3");
            Assert.Equal("paged-3", Assert.Single(filtered.Sessions).CallId);
            Assert.Equal(1, filtered.Total);
        }
        finally
        {
            calls.ForEach(c => c.Dispose());
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task An_unknown_call_is_not_found_and_says_so()
    {
        using var relay = await RunningRelay.StartAsync();
        using var get = await relay.Http.GetAsync("/api/sessions/nobody");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Contains("no call with call-id 'nobody'", await get.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var delete = await relay.Http.DeleteAsync("/api/sessions/nobody");
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task Terminate_ends_the_media_and_frees_the_ports()
    {
        using var relay = await RunningRelay.StartAsync();
        using var call = await MediaCall.StartAsync(relay, "to-terminate");
        Assert.Equal((20, 20), call.Exchange(20, 20));
        Assert.Equal(4, UdpPorts.BoundInRangeBy(relay.Process.Id, relay.PortMin, relay.PortMax).Count);

        var terminated = await relay.TerminateAsync("to-terminate");
        Assert.Equal("terminated", terminated.Reason);
        Assert.Equal("terminated", terminated.Session.State);
        Assert.NotNull(terminated.Session.Ended);
        Assert.Equal(40, terminated.Session.Streams[0].Caller.Rtp.Packets + terminated.Session.Streams[0].Callee.Rtp.Packets);

        Assert.Null(await relay.Ng.QueryAsync("to-terminate", CancellationToken.None));
        Assert.Empty(await UdpPorts.BoundInRangeByOnceReusePassed(relay.Process.Id, relay.PortMin, relay.PortMax));
        Assert.Equal((0, 0), call.Exchange(20, 20));
        var summary = await relay.SummaryAsync();
        Assert.Equal(0, summary.SessionCount);
        Assert.Equal(0, summary.PortsUsed);
        Assert.Equal(1, summary.SessionsEnded);
        using var again = await relay.Http.DeleteAsync("/api/sessions/to-terminate");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains("session to-terminate ended: terminated", relay.Process.Log, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_token_guards_every_endpoint()
    {
        using var relay = await RunningRelay.StartAsync(token: "s3cret-token");
        using var anonymous = new HttpClient { BaseAddress = relay.Management };
        foreach (var path in new[] { "/api/summary", "/api/sessions", "/api/sessions/x", "/api/events", "/metrics", "/", "/dashboard.js" })
        {
            using var refused = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("Bearer", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/summary");
        wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "s3cret-tokem");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(wrong)).StatusCode);
        Assert.Equal("active", (await relay.SummaryAsync()).Status);
        using var metrics = await relay.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);

        // A browser opens the dashboard once with ?access_token=; the cookie carries it from then on.
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = relay.Management };
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/?access_token=s3cret-token")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/summary")).StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Listening_beyond_loopback_without_a_token_is_refused()
    {
        using var process = RunningRelay.Start(["run", "--relay-address", "127.0.0.1", "--ng-listen", $"127.0.0.1:{UdpPorts.FreePort()}", "--port-min", "63900", "--port-max", "63999", "--management-listen", "0.0.0.0:9900"]);
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30), CancellationToken.None), process.Log);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("management-listen 0.0.0.0:9900 reaches beyond this host and the management API can end calls: give a token with --management-token", process.Log, StringComparison.Ordinal);
    }
}
