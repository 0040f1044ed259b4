using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.Management.Tests.Infrastructure;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Management.Tests;

/// <summary>The `mediarelay` verbs that talk to a running relay: sessions, session, stats, terminate, top.</summary>
[Collection(ManagementCollection.Name)]
public sealed class CliTests
{
    [Fact(Timeout = 180_000)]
    public async Task Every_verb_shows_and_ends_the_calls_of_a_running_relay()
    {
        using var relay = await RunningRelay.StartAsync();
        using var call = await MediaCall.StartAsync(relay, "cli-call");
        Assert.Equal((20, 20), call.Exchange(20, 20));
        await Task.Delay(1500);

        var stats = await CliRun.OkAsync(relay, "stats");
        Assert.Contains("status          active", stats, StringComparison.Ordinal);
        Assert.Contains("sessions        1 running, 1 since start, 0 ended", stats, StringComparison.Ordinal);
        Assert.Contains("streams         1 audio;", stats, StringComparison.Ordinal);
        Assert.Contains($"ports           4 used, {relay.PortMax - relay.PortMin + 1 - 4} free of {relay.PortMax - relay.PortMin + 1}", stats, StringComparison.Ordinal);
        Assert.Contains("relayed total   40 packets", stats, StringComparison.Ordinal);

        var sessions = await CliRun.OkAsync(relay, "sessions");
        Assert.Matches(@"CALL-ID\s+FROM-TAG\s+TO-TAG\s+AGE\s+STREAMS\s+PACKETS\s+BYTES\s+ERRORS\s+PATH\s+STATE", sessions);
        Assert.Matches(@"cli-call\s+a\s+b\s+\d\d:\d\d:\d\d\s+audio\s+40\s+6\.7 KiB\s+0\s+(kernel|userspace)\s+active", sessions);
        Assert.Contains("1 session(s)", sessions, StringComparison.Ordinal);

        var session = await CliRun.OkAsync(relay, "session", "cli-call");
        Assert.Contains("call-id   cli-call", session, StringComparison.Ordinal);
        Assert.Contains("tags      a -> b", session, StringComparison.Ordinal);
        Assert.Contains("stream 0  audio PCMU RTP/AVP  active, latched", session, StringComparison.Ordinal);
        Assert.Matches($@"caller \(sendrecv, default\)\s+a\s+rtp\s+127\.0\.0\.1:{call.CallerFacing}\s+{Regex(call.Caller.EndPoint)}\s+{Regex(call.Caller.EndPoint)}\s+20\s", session);
        Assert.Matches($@"callee \(sendrecv, default\)\s+b\s+rtp\s+127\.0\.0\.1:{call.CalleeFacing}\s+{Regex(call.Callee.EndPoint)}", session);

        var top = await CliRun.OkAsync(relay, "top", "--count", "2");
        Assert.Equal(2, top.Split("mediarelay top - ").Length - 1);
        Assert.Contains("sessions 1  streams 1", top, StringComparison.Ordinal);
        Assert.Matches(@"cli-call\s+\d\d:\d\d:\d\d\s+0\s+40\s", top);

        var terminated = await CliRun.OkAsync(relay, "terminate", "cli-call");
        Assert.Contains("terminated cli-call: ", terminated, StringComparison.Ordinal);
        Assert.Contains("40 packets", terminated, StringComparison.Ordinal);
        Assert.Null(await relay.Ng.QueryAsync("cli-call", CancellationToken.None));
        Assert.Equal((0, 0), call.Exchange(5, 5));

        var (exitCode, missing) = await CliRun.RunAsync("session", "cli-call", "--management", relay.Management.ToString());
        Assert.Equal(1, exitCode);
        Assert.Contains($"mediarelay: no call with call-id 'cli-call' runs on the relay at {relay.Management}", missing, StringComparison.Ordinal);

        using var second = await MediaCall.StartAsync(relay, "second");
        using var third = await MediaCall.StartAsync(relay, "third");
        var all = await CliRun.OkAsync(relay, "terminate", "all");
        Assert.Contains("terminated second: ", all, StringComparison.Ordinal);
        Assert.Contains("terminated third: ", all, StringComparison.Ordinal);
        Assert.Contains("2 call(s) terminated", all, StringComparison.Ordinal);
        Assert.Equal(0, (await relay.SummaryAsync()).PortsUsed);
    }

    [Fact(Timeout = 120_000)]
    public async Task The_verbs_find_the_relay_through_its_configuration_file()
    {
        using var relay = await RunningRelay.StartAsync();
        var config = Path.Combine(relay.WorkDirectory, "mediarelay.json");
        await File.WriteAllTextAsync(config, $$"""{ "MediaRelay": { "ManagementListen": "{{relay.Management.Authority}}" } }""");
        var (exitCode, output) = await CliRun.RunAsync("stats", "--config", config);
        Assert.True(exitCode == 0, output);
        Assert.Contains($"relay           {relay.Management}", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task With_no_relay_the_verbs_say_where_they_looked_and_what_to_do()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        foreach (var verb in new[] { new[] { "stats" }, ["sessions"], ["session", "x"], ["terminate", "all"], ["top", "--count", "1"] })
        {
            var (exitCode, output) = await CliRun.RunAsync([.. verb, "--management", $"127.0.0.1:{port}"]);
            Assert.Equal(1, exitCode);
            Assert.Contains($"mediarelay: no relay answers at http://127.0.0.1:{port}/ (ConnectionRefused). Is `mediarelay run` running on this host?", output, StringComparison.Ordinal);
            Assert.Contains("point the CLI at it with --management URL", output, StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task A_thousand_calls_are_listed_and_ended_page_by_page()
    {
        // 1,000 calls take 4,000 ports: six loopback interfaces share one range of 1,000, each call on a pair of them.
        string[] interfaces = ["i1/127.0.0.1", "i2/127.0.0.2", "i3/127.0.0.3", "i4/127.0.0.4", "i5/127.0.0.5", "i6/127.0.0.6"];
        using var relay = await RunningRelay.StartAsync(1000, null, [.. interfaces.SelectMany(i => new[] { "--interface", i })]);
        const int Calls = 1000;
        for (var i = 0; i < Calls; i++)
        {
            var pair = i % 3;
            var callId = string.Create(CultureInfo.InvariantCulture, $"bulk-{i:D4}");
            await NgCalls.SendOkAsync(relay.Ng, new BencodeDictionary
            {
                { "call-id", callId }, { "command", "offer" }, { "direction", new BencodeList { $"i{(2 * pair) + 1}", $"i{(2 * pair) + 2}" } },
                { "from-tag", "a" }, { "sdp", NgCalls.Sdp("127.0.0.1", 30000 + (2 * (i % 1000))) },
            });
            await NgCalls.AnswerAsync(relay.Ng, callId, "a", "b", NgCalls.Sdp("127.0.0.1", 32000 + (2 * (i % 300))));
        }

        Assert.Equal(Calls, (await relay.SummaryAsync()).SessionCount);
        var sessions = await CliRun.OkAsync(relay, "sessions");
        Assert.Contains("1000 session(s)", sessions, StringComparison.Ordinal);
        var rows = sessions.Split('\n').Where(line => line.StartsWith("bulk-", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(0, Calls).Select(i => $"bulk-{i:D4}"), rows.Select(r => r.Split(' ')[0]));

        var page = await CliRun.OkAsync(relay, "sessions", "--offset", "500", "--limit", "5");
        Assert.Equal(["bulk-0500", "bulk-0501", "bulk-0502", "bulk-0503", "bulk-0504"],
            page.Split('\n').Where(l => l.StartsWith("bulk-", StringComparison.Ordinal)).Select(r => r.Split(' ')[0]));
        Assert.Contains("5 of 1000 session(s) shown, from 500", page, StringComparison.Ordinal);
        Assert.Contains("bulk-0999", await CliRun.OkAsync(relay, "sessions", "--filter", "0999"), StringComparison.Ordinal);

        var top = await CliRun.OkAsync(relay, "top", "--count", "1", "--rows", "10");
        Assert.Contains("sessions 1000  streams 1000", top, StringComparison.Ordinal);
        Assert.Contains("... 990 more", top, StringComparison.Ordinal);

        var ended = await CliRun.OkAsync(relay, "terminate", "all");
        Assert.Contains("1000 call(s) terminated", ended, StringComparison.Ordinal);
        var summary = await relay.SummaryAsync();
        Assert.Equal(0, summary.SessionCount);
        Assert.Equal(0, summary.PortsUsed);
    }

    private static string Regex(IPEndPoint endPoint) => System.Text.RegularExpressions.Regex.Escape(endPoint.ToString());
}
