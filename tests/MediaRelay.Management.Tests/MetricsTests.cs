using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.Management.Tests.Infrastructure;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Management.Tests;

/// <summary>
/// <c>/metrics</c> as Prometheus sees it: linted by promtool, scraped by a real Prometheus server, every value checked
/// against the relay's own counters (ng statistics, query and delete reports, the management API's terminate report).
/// </summary>
[Collection(ManagementCollection.Name)]
public sealed class MetricsTests
{
    [Fact(Timeout = 180_000)]
    public async Task Prometheus_scrapes_the_relays_own_figures()
    {
        using var relay = await RunningRelay.StartAsync();
        using var kept = await MediaCall.StartAsync(relay, "kept");
        using var oneWay = await MediaCall.StartAsync(relay, "one-way");
        using var silent = await MediaCall.StartAsync(relay, "silent");
        using var terminated = await MediaCall.StartAsync(relay, "terminated");
        Assert.Equal((50, 40), kept.Exchange(50, 40));
        Assert.Equal((30, 0), oneWay.Exchange(30, 0));
        Assert.Equal((10, 10), terminated.Exchange(10, 10));
        await Task.Delay(1500);

        // The relay's own reports: ng delete for two calls (closed), the API's terminate for one.
        var oneWayEnd = await Delete(relay, "one-way");
        var silentEnd = await Delete(relay, "silent");
        var terminatedEnd = await relay.TerminateAsync("terminated");
        await Task.Delay(2500); // kernel counters are read once a second: let them settle
        var keptNow = (await relay.Ng.QueryAsync("kept", CancellationToken.None))!;
        var statistics = await relay.Ng.StatisticsAsync(CancellationToken.None);
        var settled = DateTimeOffset.UtcNow;

        long packets = 0, kernelPackets = 0, bytes = 0, kernelBytes = 0, errors = 0;
        foreach (var report in new[] { keptNow, oneWayEnd, silentEnd })
        {
            foreach (var flow in Flows(report))
            {
                packets += NgReply.Integer(flow, "stats", "packets")!.Value;
                bytes += NgReply.Integer(flow, "stats", "bytes")!.Value;
                errors += NgReply.Integer(flow, "stats", "errors")!.Value;
                kernelPackets += NgReply.Integer(flow, "kernel stats", "packets")!.Value;
                kernelBytes += NgReply.Integer(flow, "kernel stats", "bytes")!.Value;
            }
        }

        var ended = terminatedEnd.Session;
        packets += ended.Packets;
        bytes += ended.Bytes;
        errors += ended.Errors;
        kernelPackets += ended.KernelPackets;
        kernelBytes += ended.Streams.Sum(s => s.Caller.Rtp.KernelBytes + s.Caller.Rtcp.KernelBytes + s.Callee.Rtp.KernelBytes + s.Callee.Rtcp.KernelBytes);
        var keptStream = (await relay.SessionAsync("kept")).Streams[0];

        // promtool parses and lints the exposition as served.
        // The descriptors are counted just before and just after the scrape: the sweep may close kept ports in between.
        int OpenFds() => Directory.GetFileSystemEntries("/proc/" + relay.Process.Id + "/fd").Length;
        var fdsBefore = OpenFds();
        var exposition = await relay.Http.GetStringAsync("/metrics");
        var fdsAfter = OpenFds();
        var (exitCode, lint) = await Promtool.CheckMetricsAsync(exposition);
        Assert.True(exitCode == 0, $"promtool check metrics: exit {exitCode}\n{lint}\n{exposition}");

        // The process's own health as Prometheus clients name it: descriptors and resident memory as /proc shows them
        // for the relay's process, and a managed heap that is there and smaller than what is resident.
        Assert.InRange(Sample(exposition, "process_open_fds"), Math.Min(fdsBefore, fdsAfter) - 8, Math.Max(fdsBefore, fdsAfter) + 8);
        var residentBytes = Sample(exposition, "process_resident_memory_bytes");
        Assert.InRange(residentBytes, 10e6, 2e9);
        Assert.InRange(Sample(exposition, "mediarelay_gc_heap_bytes"), 100e3, residentBytes);
        Assert.True(Sample(exposition, "mediarelay_gc_collections_total{generation=\"0\"}") >= Sample(exposition, "mediarelay_gc_collections_total{generation=\"2\"}"), exposition);

        using var prometheus = await PrometheusServer.StartAsync(relay.Management);
        await prometheus.WaitForScrapeAfterAsync(settled);
        var scraped = await prometheus.QueryAsync("{__name__=~\"mediarelay_.*\"}");
        string Show() => string.Join("\n", scraped.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"));
        void Expect(string series, double value) =>
            Assert.True(scraped.TryGetValue(series, out var actual) && actual == value, $"{series}: expected {value}, scraped {(scraped.TryGetValue(series, out var a) ? a : "nothing")}\n{Show()}");

        Expect("mediarelay_sessions{type=\"own\"}", NgReply.Integer(statistics, "statistics", "currentstatistics", "sessionsown")!.Value);
        Expect("mediarelay_sessions{type=\"own\"}", 1);
        Expect("mediarelay_sessions_total{}", NgReply.Integer(statistics, "statistics", "totalstatistics", "managedsessions")!.Value);
        Expect("mediarelay_sessions_total{}", 4);
        Expect("mediarelay_closed_sessions_total{reason=\"closed\"}", 2);
        Expect("mediarelay_closed_sessions_total{reason=\"terminated\"}", 1);
        Expect("mediarelay_mediastreams{type=\"kernel\"}", keptStream.KernelDirections > 0 ? 1 : 0);
        Expect("mediarelay_mediastreams{type=\"userspace\"}", keptStream.KernelDirections > 0 ? 0 : 1);
        Expect("mediarelay_one_way_sessions_total{}", 1);
        Expect("mediarelay_zero_packet_streams_total{}", 1);
        Expect("mediarelay_packets_total{type=\"userspace\"}", packets - kernelPackets);
        Expect("mediarelay_packets_total{type=\"kernel\"}", kernelPackets);
        Expect("mediarelay_bytes_total{type=\"userspace\"}", bytes - kernelBytes);
        Expect("mediarelay_bytes_total{type=\"kernel\"}", kernelBytes);
        Expect("mediarelay_packet_errors_total{type=\"userspace\"}", errors);
        Expect("mediarelay_ports_used{}", NgReply.Integer(statistics, "statistics", "ports", "used")!.Value);
        Expect("mediarelay_ports_free{}", NgReply.Integer(statistics, "statistics", "ports", "free")!.Value);
        Expect("mediarelay_requests_total{command=\"offer\",protocol=\"ng\"}", 4);
        Expect("mediarelay_requests_total{command=\"answer\",protocol=\"ng\"}", 4);
        Expect("mediarelay_requests_total{command=\"delete\",protocol=\"ng\"}", 2);
        Expect("mediarelay_request_seconds_count{command=\"offer\",protocol=\"ng\"}", 4);
        Expect("mediarelay_request_seconds_bucket{command=\"offer\",le=\"+Inf\",protocol=\"ng\"}", 4);
        Assert.True(scraped["mediarelay_request_seconds_sum{command=\"offer\",protocol=\"ng\"}"] > 0, Show());
        Assert.Equal(50 + 40 + 30 + 10 + 10, packets);
        var uptime = scraped["mediarelay_uptime_seconds{}"];
        Assert.InRange(uptime, 1, NgReply.Integer(statistics, "statistics", "totalstatistics", "uptime")!.Value + 60);
        Assert.True(scraped["mediarelay_transport_events_total{event=\"received\"}"] >= packets - kernelPackets, Show());
    }

    /// <summary>The value of one series in a text exposition (the line that starts with the name and its labels).</summary>
    private static double Sample(string exposition, string series)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        Assert.Fail(series + " is not in the exposition:\n" + exposition);
        return double.NaN;
    }

    private static Task<BencodeDictionary> Delete(RunningRelay relay, string callId) =>
        NgCalls.SendOkAsync(relay.Ng, new BencodeDictionary { { "call-id", callId }, { "command", "delete" }, { "from-tag", "a" } });

    /// <summary>Every RTP and RTCP flow of both tags of a query or delete report.</summary>
    private static IEnumerable<BencodeValue> Flows(BencodeDictionary report)
    {
        foreach (var (_, tag) in (NgReply.Path(report, "tags") as BencodeDictionary)!)
        {
            foreach (var media in (NgReply.Path(tag, "medias") as BencodeList)!)
            {
                foreach (var flow in (NgReply.Path(media, "streams") as BencodeList)!)
                {
                    yield return flow;
                }
            }
        }
    }
}
