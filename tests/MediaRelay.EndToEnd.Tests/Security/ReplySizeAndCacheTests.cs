using System.Collections.Concurrent;
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
using MediaRelay.Protocols.Sdp;
using Xunit.Abstractions;
using static MediaRelay.EndToEnd.Tests.Infrastructure.RelayProcess;

namespace MediaRelay.EndToEnd.Tests.Security;

/// <summary>
/// Issue 15, findings 3 and 7, against a running `mediarelay` over loopback UDP: a call with more m-lines than one
/// datagram's worth of report still gets query and delete replies (trimmed, with the totals), more m-lines than
/// --max-streams are refused, and a flood of queries with new cookies does not grow the relay's memory with the
/// reply cache.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class ReplySizeAndCacheTests(ITestOutputHelper output) : IDisposable
{
    private const string CallId = "big-call";
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("mediarelay-security-").FullName;

    [Fact(Timeout = 120_000)]
    public async Task Query_and_delete_of_a_200_stream_call_are_answered_trimmed_with_the_totals()
    {
        const int Streams = 200;
        // Four ports a stream (RTP and RTCP on each side), and some room.
        var endpoints = RelayEndpoints.Allocate(mediaPorts: (Streams * 4) + 40);
        using var process = Start(_workDirectory, RunOn(endpoints, "--max-streams", "256", "--delete-delay", "0"));
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);
        var toCallee = await OfferAndAnswerAsync(ng, Streams);
        Assert.Equal(Streams * 4, UdpPorts.BoundInRangeBy(process.Id, endpoints.PortMin, endpoints.PortMax).Count);

        // Five RTP packets from the callee, so the totals have something to carry.
        using (var callee = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            var rtp = new byte[172];
            rtp[0] = 0x80;
            for (var i = 0; i < 5; i++)
            {
                rtp[3] = (byte)i;
                await callee.SendAsync(rtp, new IPEndPoint(IPAddress.Loopback, toCallee.Media[0].Port));
            }
        }

        BencodeDictionary query;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        do
        {
            // A timeout here throws: the finding was a reply that never came.
            query = await ng.SendAsync(Command("query"), TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        while (RtpPackets(query) < 5 && DateTime.UtcNow < deadline);

        Assert.Equal("ok", query.GetString("result"));
        var shown = ShownStreams(query, Streams);
        output.WriteLine($"query: {shown} of {Streams} streams shown");
        Assert.InRange(shown, 20, Streams - 1);
        Assert.Equal(shown, Medias(query, "caller").Count);
        Assert.Equal(shown, Medias(query, "callee").Count);
        Assert.Equal(5L, RtpPackets(query));
        Assert.Equal(5L * 172, NgReply.Integer(query, "totals", "RTP", "bytes"));

        var delete = await ng.SendAsync(Command("delete"), TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal("ok", delete.GetString("result"));
        Assert.InRange(ShownStreams(delete, Streams), 20, Streams - 1);
        Assert.Equal(5L, RtpPackets(delete));
        Assert.Empty(await ng.ListCallsAsync(CancellationToken.None));
        Assert.DoesNotContain("ng reply to", process.Log, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_offer_of_33_m_lines_is_refused_under_the_default_limit_and_takes_no_port()
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 140);
        using var process = Start(_workDirectory, RunOn(endpoints));
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);

        var refused = await ng.SendAsync(Offer("too-many", Sdp(33, 30000)), TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal("error", refused.GetString("result"));
        Assert.Equal("Too many media streams", refused.GetString("error-reason"));
        Assert.Empty(UdpPorts.BoundInRangeBy(process.Id, endpoints.PortMin, endpoints.PortMax));
        Assert.Empty(await ng.ListCallsAsync(CancellationToken.None));
        // 32 is the default limit itself: taken.
        var taken = await ng.SendAsync(Offer("just-enough", Sdp(32, 30000)), TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal("ok", taken.GetString("result"));
        Assert.Equal(32 * 4, UdpPorts.BoundInRangeBy(process.Id, endpoints.PortMin, endpoints.PortMax).Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task Max_streams_and_the_reply_cache_size_are_explained_and_checked()
    {
        using (var help = Start(_workDirectory, ["run", "--help"]))
        {
            Assert.True(await help.WaitForExitAsync(TimeSpan.FromSeconds(30), CancellationToken.None), help.Log);
            Assert.Contains("--max-streams", help.Log, StringComparison.Ordinal);
            Assert.Contains("--ng-reply-cache-bytes", help.Log, StringComparison.Ordinal);
        }

        using var bad = Start(_workDirectory, ["run", "--max-streams", "1001", "--ng-reply-cache-bytes", "4096"]);
        Assert.True(await bad.WaitForExitAsync(TimeSpan.FromSeconds(30), CancellationToken.None), bad.Log);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("max-streams 1001 is out of range: give 1-1000", bad.Log, StringComparison.Ordinal);
        Assert.Contains("ng-reply-cache-bytes 4096 is too small: give at least 1048576", bad.Log, StringComparison.Ordinal);
    }

    /// <summary>
    /// 12,500 queries with new cookies for a 30-stream call (each reply about 31 kB). Before the byte limit the cache
    /// held every reply for its 45 s: VmRSS rose by about 467 MB (103 to 569 MB). With an 8 MiB cache it rises by
    /// about 100 MB, the garbage collector's working room for the reports being built and the evicted replies, and
    /// stays there (37,500 queries took no more). The bound, baseline + 200 MB, fails the unbounded cache by far
    /// (the replies alone are 12,500 x 31 kB = 390 MB) and leaves the bounded one room on another machine's GC.
    /// </summary>
    [Fact(Timeout = 180_000)]
    public async Task A_flood_of_queries_with_new_cookies_leaves_memory_bounded()
    {
        const int Streams = 30;
        const int Queries = 12_500;
        const long BoundBytes = 200L * 1024 * 1024;
        var endpoints = RelayEndpoints.Allocate(mediaPorts: (Streams * 4) + 20);
        using var process = Start(_workDirectory, RunOn(endpoints, "--ng-reply-cache-bytes", (8 * 1024 * 1024).ToString(CultureInfo.InvariantCulture)));
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);
        await OfferAndAnswerAsync(ng, Streams);

        // Warm up (JIT, pools) before the baseline.
        await FloodAsync(endpoints.Ng, "warm-", 200);
        await Task.Delay(500);
        var baseline = RssBytes(process.Id);

        long peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, RssBytes(process.Id));
                await Task.Delay(20, CancellationToken.None);
            }
        });
        var watch = Stopwatch.StartNew();
        var (answered, lost) = await FloodAsync(endpoints.Ng, "flood-", Queries);
        watch.Stop();
        await sampling.CancelAsync();
        await sampler;
        var after = RssBytes(process.Id);

        output.WriteLine($"{Queries} queries in {watch.Elapsed.TotalSeconds:F1} s, {answered} answered, {lost} lost; " +
            $"VmRSS baseline {baseline / 1048576.0:F1} MB, peak {peak / 1048576.0:F1} MB, after {after / 1048576.0:F1} MB");
        Assert.True(answered >= Queries * 99 / 100, $"only {answered} of {Queries} queries answered");
        Assert.True(peak - baseline < BoundBytes,
            $"VmRSS rose from {baseline / 1048576.0:F1} MB to {peak / 1048576.0:F1} MB, over the {BoundBytes / 1048576} MB bound");
        Assert.True(await ng.PingAsync(TimeSpan.FromSeconds(2), CancellationToken.None), "no pong after the flood\n" + process.Log);
    }

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    /// <summary>Offers and answers <see cref="CallId"/> with <paramref name="streams"/> audio m-lines; returns the SDP the callee got.</summary>
    private static async Task<SdpSession> OfferAndAnswerAsync(NgClient ng, int streams)
    {
        var offer = await ng.SendAsync(Offer(CallId, Sdp(streams, 30000)), TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal("ok", offer.GetString("result"));
        var answer = await ng.SendAsync(
            new BencodeDictionary { { "call-id", CallId }, { "command", "answer" }, { "from-tag", "caller" }, { "sdp", Sdp(streams, 31000) }, { "to-tag", "callee" } },
            TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal("ok", answer.GetString("result"));
        Assert.True(SdpSession.TryParse(offer.GetString("sdp")!, out var toCallee, out var error), error);
        Assert.Equal(streams, toCallee!.Media.Count);
        return toCallee;
    }

    /// <summary>An SDP body with <paramref name="streams"/> audio m-lines on 127.0.0.1, ports from <paramref name="firstPort"/>.</summary>
    private static string Sdp(int streams, int firstPort) =>
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
        string.Concat(Enumerable.Range(0, streams).Select(i => $"m=audio {firstPort + (2 * i)} RTP/AVP 0\r\n"));

    // Keys in sorted order, as NgClient sends strict bencode.
    private static BencodeDictionary Offer(string callId, string sdp) =>
        new() { { "call-id", callId }, { "command", "offer" }, { "from-tag", "caller" }, { "sdp", sdp } };

    private static BencodeDictionary Command(string name) => new() { { "call-id", CallId }, { "command", name } };

    private static long? RtpPackets(BencodeDictionary report) => NgReply.Integer(report, "totals", "RTP", "packets");

    private static List<BencodeValue> Medias(BencodeDictionary report, string tag) =>
        NgReply.Path(report, "tags", tag, "medias") is BencodeList medias ? medias.Items : [];

    /// <summary>N from the warning "Report trimmed: N of M media streams shown (reply size limit)", checking M.</summary>
    private static int ShownStreams(BencodeDictionary report, int streams)
    {
        var warning = report.GetString("warning") ?? "(no warning)";
        var match = TrimmedWarning().Match(warning);
        Assert.True(match.Success && match.Groups[2].Value == streams.ToString(CultureInfo.InvariantCulture), warning);
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^Report trimmed: (\d+) of (\d+) media streams shown \(reply size limit\)$")]
    private static partial Regex TrimmedWarning();

    /// <summary>VmRSS of the process, from /proc/PID/status ("VmRSS:   51234 kB").</summary>
    private static long RssBytes(int processId)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidDataException($"no VmRSS in /proc/{processId}/status");
    }

    /// <summary>
    /// Sends <paramref name="count"/> queries for <see cref="CallId"/>, each with a new cookie, keeping up to 32
    /// unanswered at once (NgClient waits for each reply in turn, which would take minutes). A reply not back
    /// within 2 s counts as lost and frees its slot.
    /// </summary>
    private static async Task<(int Answered, int Lost)> FloodAsync(IPEndPoint server, string cookiePrefix, int count)
    {
        const int Window = 32;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        // SO_RCVBUFFORCE (root may pass net.core.rmem_max): room for every reply of the window at once.
        socket.SetRawSocketOption(1, 33, BitConverter.GetBytes(16 * 1024 * 1024));
        var body = BencodeWriter.ToArray(Command("query"));
        var outstanding = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        using var slots = new SemaphoreSlim(Window);
        using var stop = new CancellationTokenSource();
        var answered = 0;
        var lost = 0;
        var receiver = Task.Run(async () =>
        {
            var buffer = new byte[65536];
            while (true)
            {
                int length;
                try
                {
                    length = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                var space = Array.IndexOf(buffer, (byte)' ', 0, length);
                if (space > 0 && outstanding.TryRemove(Encoding.ASCII.GetString(buffer, 0, space), out _))
                {
                    Interlocked.Increment(ref answered);
                    slots.Release();
                }
            }
        });

        void GiveUpOnStale(TimeSpan age)
        {
            foreach (var (cookie, sent) in outstanding)
            {
                if (Stopwatch.GetElapsedTime(sent) >= age && outstanding.TryRemove(cookie, out _))
                {
                    Interlocked.Increment(ref lost);
                    slots.Release();
                }
            }
        }

        for (var i = 0; i < count; i++)
        {
            while (!await slots.WaitAsync(TimeSpan.FromSeconds(2)))
            {
                GiveUpOnStale(TimeSpan.FromSeconds(2));
            }

            var cookie = cookiePrefix + i.ToString(CultureInfo.InvariantCulture);
            outstanding[cookie] = Stopwatch.GetTimestamp();
            await socket.SendToAsync((byte[])[.. Encoding.ASCII.GetBytes(cookie + " "), .. body], server);
        }

        var deadline = Stopwatch.GetTimestamp();
        while (!outstanding.IsEmpty && Stopwatch.GetElapsedTime(deadline) < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10);
        }

        GiveUpOnStale(TimeSpan.Zero);
        await stop.CancelAsync();
        await receiver;
        return (answered, lost);
    }
}
