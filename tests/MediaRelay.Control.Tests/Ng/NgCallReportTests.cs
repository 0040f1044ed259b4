using System.Net;
using MediaRelay.Control.Ng;
using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Tests.Ng;

/// <summary>The query/delete body as a pure function of the statistics record.</summary>
public class NgCallReportTests
{
    private static SubPartyStatistics Side(string local, int port, IPEndPoint? learned, IPEndPoint? sdp, long packets = 0, long kernel = 0) =>
        new(new IPEndPoint(IPAddress.Parse(local), port), learned, sdp, packets, packets * 100, 1, 0, kernel, kernel * 100);

    private static SessionStatistics Call(string? calleeTag, IPEndPoint? calleeLearned = null)
    {
        var v6 = new IPEndPoint(IPAddress.Parse("2001:db8::7"), 7000);
        var stream = new StreamStatistics(
            1, "video", null, null, EndReason.None, TimeSpan.Zero,
            new PartyStatistics(PartyRole.Caller, "A", MediaDirection.SendOnly, Side("192.0.2.1", 40000, null, null), Side("192.0.2.1", 40001, null, null)),
            new PartyStatistics(PartyRole.Callee, calleeTag, MediaDirection.RecvOnly,
                Side("2001:db8::1", 40002, calleeLearned, v6, packets: 3, kernel: 4), Side("2001:db8::1", 40003, null, null, packets: 1)));
        return new SessionStatistics("c", "A", calleeTag, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), null, EndReason.None, TimeSpan.Zero, [stream]);
    }

    [Fact]
    public void IPv6EndpointsKernelCountersAndDirections()
    {
        var reply = NgCallReport.Build(Call("B", new IPEndPoint(IPAddress.Parse("2001:db8::9"), 7100)));

        var media = (BencodeDictionary)reply.GetDictionary("tags")!.GetDictionary("B")!.GetList("medias")!.Items[0];
        Assert.Equal(2L, media.GetInteger("index"));
        Assert.Equal("video", media.GetString("type"));
        Assert.Equal(["initialized", "recv"], media.GetList("flags")!.Items.Select(i => i.AsText()));
        var rtp = (BencodeDictionary)media.GetList("streams")!.Items[0];
        Assert.Equal("IPv6", rtp.GetDictionary("endpoint")!.GetString("family"));
        Assert.Equal("2001:db8::9", rtp.GetDictionary("endpoint")!.GetString("address"));
        Assert.Equal("2001:db8::7", rtp.GetDictionary("advertised endpoint")!.GetString("address"));
        Assert.Equal(7L, rtp.GetDictionary("stats")!.GetInteger("packets")); // 3 user space + 4 kernel
        Assert.Equal(700L, rtp.GetDictionary("stats")!.GetInteger("bytes"));
        Assert.Equal(4L, rtp.GetDictionary("kernel stats")!.GetInteger("packets"));
        Assert.Equal(["RTP", "filled", "confirmed", "kernelized"], rtp.GetList("flags")!.Items.Select(i => i.AsText()));

        var totals = reply.GetDictionary("totals")!;
        Assert.Equal(7L, totals.GetDictionary("RTP")!.GetInteger("packets"));
        Assert.Equal(2L, totals.GetDictionary("RTP")!.GetInteger("errors"));
        Assert.Equal(1L, totals.GetDictionary("RTCP")!.GetInteger("packets"));
        Assert.Equal(1_700_000_000L, reply.GetInteger("created"));
        Assert.Equal(0L, reply.GetInteger("created_us"));
    }

    [Fact]
    public void EndpointFallsBackToSdpThenToEmpty()
    {
        var reply = NgCallReport.Build(Call("B"));
        var tags = reply.GetDictionary("tags")!;

        var calleeRtp = (BencodeDictionary)((BencodeDictionary)tags.GetDictionary("B")!.GetList("medias")!.Items[0]).GetList("streams")!.Items[0];
        Assert.Equal("2001:db8::7", calleeRtp.GetDictionary("endpoint")!.GetString("address"));
        Assert.DoesNotContain("confirmed", calleeRtp.GetList("flags")!.Items.Select(i => i.AsText()));

        var callerRtp = (BencodeDictionary)((BencodeDictionary)tags.GetDictionary("A")!.GetList("medias")!.Items[0]).GetList("streams")!.Items[0];
        Assert.Equal(string.Empty, callerRtp.GetDictionary("endpoint")!.GetString("address"));
        Assert.Equal(0L, callerRtp.GetDictionary("endpoint")!.GetInteger("port"));
    }

    [Fact]
    public void CallBeforeAnswerHasAnEmptyCalleeTag()
    {
        var tags = NgCallReport.Build(Call(null)).GetDictionary("tags")!;

        Assert.Equal(["A", ""], tags.Entries.Select(e => e.Key));
        Assert.Equal(string.Empty, tags.GetDictionary("A")!.GetString("in dialogue with"));
    }

    [Fact]
    public void TrimShowsTheMostStreamsThatFitAndKeepsTheTotals()
    {
        var full = NgCallReport.Build(ManyStreams(10));
        var limit = Size(full) / 2;

        var trimmed = NgCallReport.Trim(full, r => Size(r) <= limit);

        Assert.NotNull(trimmed);
        Assert.True(Size(trimmed) <= limit);
        var shown = Medias(trimmed, "A").Count;
        Assert.InRange(shown, 1, 9);
        Assert.Equal($"Report trimmed: {shown} of 10 media streams shown (reply size limit)", trimmed.GetString("warning"));
        Assert.Equal(["result", "warning", "created", "created_us", "last signal", "tags", "totals"], trimmed.Entries.Select(e => e.Key));
        // Both tags show the same first streams, in order.
        Assert.Equal(Enumerable.Range(1, shown).Select(i => (long)i), Medias(trimmed, "A").Select(m => m.GetInteger("index")!.Value));
        Assert.Equal(Enumerable.Range(1, shown).Select(i => (long)i), Medias(trimmed, "B").Select(m => m.GetInteger("index")!.Value));
        Assert.Equal("A", trimmed.GetDictionary("tags")!.GetDictionary("B")!.GetString("in dialogue with"));
        // The totals still count all ten streams: 10 x 3 RTP packets, 10 x 1 RTCP.
        Assert.Equal(30L, trimmed.GetDictionary("totals")!.GetDictionary("RTP")!.GetInteger("packets"));
        Assert.Equal(10L, trimmed.GetDictionary("totals")!.GetDictionary("RTCP")!.GetInteger("packets"));
        // The most that fit: one stream more would not have.
        var oneMore = NgCallReport.Trim(full, r => Medias(r, "A").Count <= shown + 1)!;
        Assert.True(Size(oneMore) > limit);
        // The report itself is left as it was.
        Assert.Equal(10, Medias(full, "A").Count);
        Assert.Null(full.GetString("warning"));
    }

    [Fact]
    public void TrimGivesUpWhenNotEvenTheTotalsFitOrTheReplyIsNoReport()
    {
        var full = NgCallReport.Build(ManyStreams(3));

        Assert.Null(NgCallReport.Trim(full, r => Size(r) <= 100));
        Assert.Null(NgCallReport.Trim(NgReplies.Error(NgErrors.UnknownCallId), _ => true));
    }

    private static SessionStatistics ManyStreams(int count)
    {
        var streams = Enumerable.Range(0, count).Select(i => new StreamStatistics(
            i, "audio", null, null, EndReason.None, TimeSpan.Zero,
            new PartyStatistics(PartyRole.Caller, "A", MediaDirection.SendRecv, Side("192.0.2.1", 40000 + (4 * i), null, null, packets: 3), Side("192.0.2.1", 40001 + (4 * i), null, null, packets: 1)),
            new PartyStatistics(PartyRole.Callee, "B", MediaDirection.SendRecv, Side("192.0.2.1", 40002 + (4 * i), null, null), Side("192.0.2.1", 40003 + (4 * i), null, null))));
        return new SessionStatistics("c", "A", "B", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), null, EndReason.None, TimeSpan.Zero, [.. streams]);
    }

    private static int Size(BencodeDictionary reply) => BencodeWriter.ToArray(reply).Length;

    private static List<BencodeDictionary> Medias(BencodeDictionary reply, string tag) =>
        reply.GetDictionary("tags")!.GetDictionary(tag)!.GetList("medias")!.Items.Cast<BencodeDictionary>().ToList();
}
