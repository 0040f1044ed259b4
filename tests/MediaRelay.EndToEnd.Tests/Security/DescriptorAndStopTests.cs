using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.EndToEnd.Tests.Relays;
using MediaRelay.Protocols.Bencode;
using static MediaRelay.EndToEnd.Tests.Infrastructure.RelayProcess;

namespace MediaRelay.EndToEnd.Tests.Security;

/// <summary>
/// Issue 15, findings 4 and 8, on a real `mediarelay` process over loopback: running out of file descriptors is
/// "Ran out of ports" and loses no port, and SIGTERM always completes the graceful stop (exit 0, every session's
/// end logged, no port left bound), at the descriptor limit and under a flood of ng commands.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class DescriptorAndStopTests : IDisposable
{
    private const string Sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n";

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("mediarelay-security-").FullName;

    [Fact(Timeout = 120_000)]
    public async Task Running_out_of_descriptors_is_ran_out_of_ports_and_loses_no_port()
    {
        // 600 ports need 600 media sockets: far more than a 400-descriptor process can open (about 146). The range stays
        // small enough that a free one is still found late in a full run, where earlier tests hold many ranges.
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 600);
        using var process = StartWithDescriptorLimit(400, RunOn(endpoints));
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);
        Assert.Contains("descriptor limit 400 (hard limit 400)", process.Log, StringComparison.Ordinal);
        var promised = CallsThatFit(process.Log);
        Assert.InRange(promised, 1, 600 / 4 - 1);

        var first = await OfferUntilOutOfPortsAsync(ng, "first");
        // The promise is made from the descriptors open at start; the runtime may open a few more afterwards (its
        // socket engine, a signal pipe), which the 128 spare cover: at most two calls fewer than promised, never more.
        Assert.InRange(first.Count, promised - 2, promised);
        Assert.Equal(first.Count * 4, UdpPorts.BoundInRangeBy(process.Id, endpoints.PortMin, endpoints.PortMax).Count);

        foreach (var callId in first)
        {
            var deleted = await ng.SendAsync(
                new BencodeDictionary { { "call-id", callId }, { "command", "delete" }, { "delete delay", 0L }, { "from-tag", "a" } },
                TimeSpan.FromSeconds(5), CancellationToken.None);
            Assert.Equal("ok", deleted.GetString("result"));
        }

        var statistics = await ng.StatisticsAsync(CancellationToken.None);
        Assert.Equal(0, NgReply.Integer(statistics, "statistics", "ports", "used"));
        Assert.Equal(600, NgReply.Integer(statistics, "statistics", "ports", "total"));
        Assert.Empty(await UdpPorts.BoundInRangeByOnceReusePassed(process.Id, endpoints.PortMin, endpoints.PortMax));

        // Every port and descriptor came back: the same number of calls fits again.
        var second = await OfferUntilOutOfPortsAsync(ng, "second");
        Assert.Equal(first.Count, second.Count);

        Assert.True(await TerminateAsync(process), "no exit within 30 s of SIGTERM:\n" + process.Log);
        Assert.Equal(0, process.ExitCode);
        foreach (var callId in first)
        {
            Assert.Contains($"session {callId} ended: closed", process.Log, StringComparison.Ordinal);
        }

        foreach (var callId in second)
        {
            Assert.Contains($"session {callId} ended: shutdown", process.Log, StringComparison.Ordinal);
        }

        Assert.Contains("stopped; 0 media port(s) still bound", process.Log, StringComparison.Ordinal);
    }

    /// <summary>
    /// Four limits in a row, so that one of them leaves the process with no descriptor at all once the last offer
    /// failed, whatever the runtime holds on this machine: that is where the relay used to abort ("Out of memory",
    /// exit 134) on SIGTERM.
    /// </summary>
    [Theory(Timeout = 120_000)]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(402)]
    [InlineData(403)]
    public async Task Sigterm_at_the_descriptor_limit_ends_every_session_and_exits_0(int limit)
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 600);
        using var process = StartWithDescriptorLimit(limit, RunOn(endpoints));
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);

        var calls = await OfferUntilOutOfPortsAsync(ng, "full");
        Assert.NotEmpty(calls);

        Assert.True(await TerminateAsync(process), "no exit within 30 s of SIGTERM:\n" + process.Log);
        Assert.Equal(0, process.ExitCode);
        foreach (var callId in calls)
        {
            Assert.Contains($"session {callId} ended: shutdown", process.Log, StringComparison.Ordinal);
        }

        Assert.Contains("stopped; 0 media port(s) still bound", process.Log, StringComparison.Ordinal);
    }

    /// <summary>
    /// A flood of ng commands whose refusals each log a warning, read by a slow reader of stdout (1 ms a line, as a
    /// busy journald): the stop used to wait for the backlog and the logs, and was cut off after 2 s with exit code
    /// 143 before any session logged its end.
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task Sigterm_under_a_flood_of_ng_commands_drops_the_backlog_and_stops_gracefully()
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 200);
        using var process = RelayProcess.Start(_workDirectory, RunOn(endpoints), lineDelay: TimeSpan.FromMilliseconds(1));
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);

        var calls = Enumerable.Range(0, 20).Select(i => $"up-{i}").ToList();
        foreach (var callId in calls)
        {
            var offer = await ng.SendAsync(Offer(callId), TimeSpan.FromSeconds(5), CancellationToken.None);
            Assert.Equal("ok", offer.GetString("result"));
        }

        using var flooding = new CancellationTokenSource();
        var flood = Task.Run(() => Flood(endpoints.Ng, calls, flooding.Token));
        await Task.Delay(TimeSpan.FromSeconds(2));

        var stop = Stopwatch.StartNew();
        bool exited;
        long sent;
        try
        {
            exited = await TerminateAsync(process);
        }
        finally
        {
            await flooding.CancelAsync();
            sent = await flood;
        }

        Assert.True(exited, "no exit within 30 s of SIGTERM:\n" + process.Log);
        Assert.True(sent > 1000, $"only {sent} commands were sent");
        Assert.Equal(0, process.ExitCode);
        Assert.True(stop.Elapsed < TimeSpan.FromSeconds(10), $"the stop took {stop.Elapsed.TotalSeconds:F1} s");
        foreach (var callId in calls)
        {
            Assert.Contains($"session {callId} ended: shutdown", process.Log, StringComparison.Ordinal);
        }

        // Every session the flood started (of those whose start is still in the kept log) logged its end too.
        foreach (Match started in SessionStarted().Matches(process.Log))
        {
            Assert.Contains($"session {started.Groups[1].Value} ended: ", process.Log, StringComparison.Ordinal);
        }

        Assert.Contains("stopped; 0 media port(s) still bound", process.Log, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private ManagedProcess StartWithDescriptorLimit(int limit, IEnumerable<string> arguments)
    {
        Assert.True(File.Exists("/usr/bin/prlimit"), "prlimit (util-linux) runs the relay with a low descriptor limit; install util-linux");
        return RelayProcess.Start(_workDirectory, arguments, ["/usr/bin/prlimit", $"--nofile={limit}:{limit}", "--"]);
    }

    /// <summary>The calls the start-up warning says fit in the descriptor limit.</summary>
    private static int CallsThatFit(string log)
    {
        var warning = CallsFitWarning().Match(log);
        Assert.True(warning.Success, "no start-up warning of how many calls fit the descriptor limit:\n" + log);
        return int.Parse(warning.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Offers new one-stream calls until one is refused; that refusal must be "Ran out of ports".</summary>
    private static async Task<List<string>> OfferUntilOutOfPortsAsync(NgClient ng, string prefix)
    {
        var accepted = new List<string>();
        while (true)
        {
            var callId = $"{prefix}-{accepted.Count}";
            var reply = await ng.SendAsync(Offer(callId), TimeSpan.FromSeconds(5), CancellationToken.None);
            if (reply.GetString("result") != "ok")
            {
                Assert.Equal("error", reply.GetString("result"));
                Assert.Equal("Ran out of ports", reply.GetString("error-reason"));
                return accepted;
            }

            accepted.Add(callId);
            Assert.True(accepted.Count < 1000, "offers never ran out of ports");
        }
    }

    private static readonly string BigSdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" + string.Concat(Enumerable.Range(0, int.Parse(Environment.GetEnvironmentVariable("FLOOD_STREAMS") ?? "1", CultureInfo.InvariantCulture)).Select(i => $"m=audio {30000 + 2 * i} RTP/AVP 0\r\n"));

    private static BencodeDictionary Offer(string callId) =>
        new() { { "call-id", callId }, { "command", "offer" }, { "from-tag", "a" }, { "sdp", callId.StartsWith("up", StringComparison.Ordinal) ? BigSdp : Sdp } };

    private static async Task<bool> TerminateAsync(ManagedProcess process)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        return await process.WaitForExitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
    }

    /// <summary>
    /// Sends, until cancelled and without waiting for replies, and returns how many it sent: offers of new calls (once
    /// the range is full, each is refused with a warning in the log), queries of the calls that are up, and deletes
    /// of the new calls; every datagram with its own cookie, so none is answered from the reply cache.
    /// </summary>
    private static long Flood(IPEndPoint server, IReadOnlyList<string> calls, CancellationToken token)
    {
        var sent = 0L;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        for (var n = 0; !token.IsCancellationRequested; n++)
        {
            var callId = $"flood-{n}";
            Send(Offer(callId), $"o{n}");
            Send(new BencodeDictionary { { "call-id", calls[n % calls.Count] }, { "command", "query" } }, $"q{n}");
            if (n % 4 == 0)
            {
                Send(new BencodeDictionary { { "call-id", callId }, { "command", "delete" }, { "delete delay", 0L }, { "from-tag", "a" } }, $"d{n}");
            }
        }

        return sent;

        void Send(BencodeDictionary command, string cookie)
        {
            try
            {
                socket.SendTo([.. Encoding.ASCII.GetBytes(cookie + " "), .. BencodeWriter.ToArray(command)], server);
            }
            catch (SocketException)
            {
                // The relay is gone (ICMP port unreachable): keep going until cancelled.
            }

            sent++;
        }
    }

    [GeneratedRegex(@"(\d+) calls of one audio stream \(4 sockets each\) fit")]
    private static partial Regex CallsFitWarning();

    [GeneratedRegex(@"session (\S+) started")]
    private static partial Regex SessionStarted();
}
