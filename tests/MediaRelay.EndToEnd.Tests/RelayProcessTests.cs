using System.Diagnostics;
using System.Globalization;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.EndToEnd.Tests.Relays;
using MediaRelay.Protocols.Bencode;
using static MediaRelay.EndToEnd.Tests.Infrastructure.RelayProcess;

namespace MediaRelay.EndToEnd.Tests;

/// <summary>The `mediarelay` executable as an operator meets it: --help, a bad setting, and a clean stop on SIGTERM.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class RelayProcessTests : IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("mediarelay-process-").FullName;

    [Fact(Timeout = 60_000)]
    public async Task Help_explains_every_setting()
    {
        using var process = Start(["run", "--help"]);
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30), CancellationToken.None), process.Log);
        Assert.Equal(0, process.ExitCode);
        foreach (var option in new[] { "--config", "--relay-address", "--port-min", "--port-max", "--stream-timeout", "--on-hold-timeout", "--ng-listen", "--max-sessions", "--delete-delay", "--transport", "--loops", "--realtime-priority", "--strict-source", "--log-level", "--kernel-forwarding", "--deny-media-to", "--max-streams", "--ng-reply-cache-bytes", "--warm-up" })
        {
            Assert.Contains(option, process.Log, StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bad_setting_is_refused_with_what_to_do_and_nothing_starts()
    {
        using var process = Start(["run", "--relay-address", "nowhere", "--port-min", "70000", "--transport", "pigeon", "--realtime-priority", "120", "--kernel-forwarding", "sometimes", "--deny-media-to", "10.0.0.0/33", "--warm-up", "maybe"]);
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30), CancellationToken.None), process.Log);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("relay-address 'nowhere' is not an IP address: give one such as", process.Log, StringComparison.Ordinal);
        Assert.Contains("port range 70000-59999 is not usable", process.Log, StringComparison.Ordinal);
        Assert.Contains("transport 'pigeon' is not known: give epoll, io_uring or sockets", process.Log, StringComparison.Ordinal);
        Assert.Contains("realtime-priority 120 is out of range: give 1-99", process.Log, StringComparison.Ordinal);
        Assert.Contains("kernel-forwarding 'sometimes' is not known: give auto, on or off", process.Log, StringComparison.Ordinal);
        Assert.Contains("deny-media-to '10.0.0.0/33' is not a CIDR range", process.Log, StringComparison.Ordinal);
        Assert.Contains("warm-up 'maybe' is not known: give on", process.Log, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("io_uring", "mr-uring-")]
    [InlineData("epoll", "mr-epoll-")]
    public async Task Realtime_priority_puts_every_packet_loop_under_sched_fifo(string transport, string threadName)
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 20);
        using var process = Start(RunOn(endpoints, "--transport", transport, "--loops", "2", "--realtime-priority", "7"));
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);

        // /proc/PID/task/TID/stat: field 40 is rt_priority, field 41 the policy (1 = SCHED_FIFO).
        var loops = new List<(int Priority, int Policy)>();
        foreach (var task in Directory.GetDirectories($"/proc/{process.Id}/task"))
        {
            if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(threadName, StringComparison.Ordinal))
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                loops.Add((int.Parse(fields[37], CultureInfo.InvariantCulture), int.Parse(fields[38], CultureInfo.InvariantCulture)));
            }
        }

        Assert.Equal([(7, 1), (7, 1)], loops);
        Assert.Contains("packet loops run at real-time priority 7 (SCHED_FIFO)", process.Log, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("auto", "packet path: io_uring, 2 ring(s)")] // this machine's kernel allows io_uring
    [InlineData("epoll", "packet path: epoll, 2 loop(s)")]
    [InlineData("sockets", "packet path: sockets")]
    public async Task Sigterm_ends_every_session_and_frees_every_port(string transport, string pathLine)
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 40);
        using var process = Start(RunOn(endpoints, "--transport", transport, "--loops", "2"));
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);

        Assert.Equal("ok", await OfferAsync(ng, "sigterm-call"));
        Assert.Equal(4, UdpPorts.BoundInRangeBy(process.Id, endpoints.PortMin, endpoints.PortMax).Count);

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(10), CancellationToken.None), "no exit within 10 s of SIGTERM:\n" + process.Log);
        Assert.Equal(0, process.ExitCode);
        Assert.Contains(pathLine, process.Log, StringComparison.Ordinal);
        Assert.Contains("session sigterm-call ended: shutdown", process.Log, StringComparison.Ordinal);
        Assert.Contains("stopped; 0 media port(s) still bound", process.Log, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(4, 32)] // two pairs, one call's: the warm-up's calls are audio only
    [InlineData(16, 1)] // one stream per offer: audio only
    [InlineData(16, 32)] // audio, and audio with video
    public async Task The_warm_up_runs_before_ng_listens_and_leaves_no_session_statistic_or_port(int mediaPorts, int maxStreams)
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts);
        using var process = Start(RunOn(endpoints, "--transport", "io_uring", "--max-streams", maxStreams.ToString(CultureInfo.InvariantCulture)));
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);

        var log = process.Log;
        var warmedUp = WarmUpLine(log);
        Assert.True(warmedUp >= 0, "no warm-up line:\n" + log);
        Assert.True(warmedUp < log.IndexOf("ng control listening on udp", StringComparison.Ordinal), log);
        Assert.DoesNotContain("warm-up stopped", log, StringComparison.Ordinal); // no call of it was refused
        Assert.DoesNotContain("warm-up-", log, StringComparison.Ordinal); // none of its calls is logged

        var statistics = (await ng.SendAsync(new BencodeDictionary { { "command", "statistics" } }, TimeSpan.FromSeconds(5), CancellationToken.None))
            .GetDictionary("statistics")!;
        Assert.Equal(0L, statistics.GetDictionary("currentstatistics")!.GetInteger("sessionstotal"));
        Assert.Equal(0L, statistics.GetDictionary("totalstatistics")!.GetInteger("managedsessions"));
        Assert.Equal(0L, statistics.GetDictionary("ports")!.GetInteger("used"));
        Assert.Empty(UdpPorts.BoundInRangeBy(process.Id, endpoints.PortMin, endpoints.PortMax));

        // The first real call gets its ports, as on a relay that never warmed up.
        Assert.Equal("ok", await OfferAsync(ng, "first-call"));
        Assert.Equal(4, UdpPorts.BoundInRangeBy(process.Id, endpoints.PortMin, endpoints.PortMax).Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_warm_up_takes_mediaproxy_and_rtpproxy_calls_too_over_ipv4_and_ipv6_and_leaves_none()
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 16, controlDirectory: _workDirectory);
        using var process = Start(RunOn(endpoints, "--relay-address-v6", "::1", "--mediaproxy-socket", endpoints.MediaProxySocket!,
            "--rtpproxy-listen", "udp:" + endpoints.Rtpproxy));
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);
        await WaitForLogAsync(process, "rtpproxy control listening on udp");

        // Every call went through each protocol in turn, and a refused request would have stopped the warm-up with a warning.
        Assert.True(WarmUpLine(process.Log) >= 0, "no warm-up line:\n" + process.Log);
        Assert.Contains(" private calls (ng, mediaproxy, rtpproxy; IPv4 and IPv6; audio and video)", process.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("warm-up stopped", process.Log, StringComparison.Ordinal);
        using var udp = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        await udp.SendAsync("w_1 I"u8.ToArray(), endpoints.Rtpproxy);
        var info = System.Text.Encoding.ASCII.GetString((await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5))).Buffer);
        Assert.Contains("sessions created: 0\nactive sessions: 0\n", info, StringComparison.Ordinal);
        Assert.Empty(UdpPorts.BoundInRangeBy(process.Id, endpoints.PortMin, endpoints.PortMax));
    }

    [Fact(Timeout = 60_000)]
    public async Task Warm_up_off_listens_at_once()
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 8);
        using var process = Start(RunOn(endpoints, "--warm-up", "off"));
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);
        Assert.DoesNotContain("control path warm", process.Log, StringComparison.Ordinal);
        Assert.Contains("ng control listening on udp", process.Log, StringComparison.Ordinal);
    }

    /// <summary>
    /// Where the warm-up's line is in the log, -1 when there is none: "warmed up", or on a machine so loaded that it
    /// ran out of time, "reached its time limit" (the relay then starts as well).
    /// </summary>
    private static int WarmUpLine(string log)
    {
        var settled = log.IndexOf("control path warmed up: ", StringComparison.Ordinal);
        return settled >= 0 ? settled : log.IndexOf("control path warm-up reached its time limit: ", StringComparison.Ordinal);
    }

    /// <summary>An audio offer from 127.0.0.1; the reply's result.</summary>
    private static async Task<string?> OfferAsync(NgClient ng, string callId)
    {
        const string Sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n";
        var offer = await ng.SendAsync(
            new BencodeDictionary { { "call-id", callId }, { "command", "offer" }, { "from-tag", "a" }, { "sdp", Sdp } },
            TimeSpan.FromSeconds(5), CancellationToken.None);
        return offer.GetString("result");
    }

    private ManagedProcess Start(IEnumerable<string> arguments) => RelayProcess.Start(_workDirectory, arguments);

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);
}
