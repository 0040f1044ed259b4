using System.Net;
using MediaRelay.Control.Ng;
using MediaRelay.Core.Api;
using MediaRelay.Core.Model;
using MediaRelay.Protocols.Bencode;
using Microsoft.Extensions.Time.Testing;

namespace MediaRelay.Control.Tests.Ng;

/// <summary>query, delete, list and statistics against a real SessionManager (relay sockets faked).</summary>
public sealed class NgSessionCommandTests : IDisposable
{
    private static readonly IPEndPoint CallerSdp = new(IPAddress.Parse("10.0.0.1"), 5000);
    private static readonly IPEndPoint CalleeSdp = new(IPAddress.Parse("10.0.0.2"), 6000);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1234560));
    private readonly NullTransport _transport = new();
    private readonly SessionManager _sessions;
    private readonly NgDispatcher _dispatcher;

    public NgSessionCommandTests()
    {
        _sessions = new SessionManager(new RelayOptions { PortMin = 30000, PortMax = 30099 }, _transport, _clock);
        _dispatcher = NgCommands.CreateDispatcher(_sessions, new NgOptions(), _clock);
    }

    public void Dispose()
    {
        _sessions.Dispose();
    }

    private (RelayedMedia FacingCallee, RelayedMedia FacingCaller) Call(string callId = "call-1")
    {
        Assert.Equal(SessionError.None, _sessions.Offer(callId, "tagA", null, [new("audio", CallerSdp.Address, CallerSdp.Port)], null, out var offered));
        Assert.Equal(SessionError.None, _sessions.Answer(callId, "tagA", "tagB", [new("audio", CalleeSdp.Address, CalleeSdp.Port)], null, out var answered));
        return (offered[0], answered[0]);
    }

    private BencodeDictionary Run(string command, string? callId = null, Action<BencodeDictionary>? more = null)
    {
        var body = new BencodeDictionary { { "command", command } };
        if (callId is not null)
        {
            body.Add("call-id", callId);
        }

        more?.Invoke(body);
        return _dispatcher.Dispatch(body);
    }

    private static byte[] Rtp(ushort sequence, int payload = 160)
    {
        var packet = new byte[12 + payload];
        packet[0] = 0x80;
        packet[2] = (byte)(sequence >> 8);
        packet[3] = (byte)sequence;
        packet[11] = 0x42;
        return packet;
    }

    [Fact]
    public void QueryReportsTagsMediasStreamsAndTotalsLikeRtpengine()
    {
        var (facingCallee, facingCaller) = Call();
        var callerNat = new IPEndPoint(IPAddress.Parse("203.0.113.5"), 40123);
        _transport.Deliver(facingCaller.RtpPort, Rtp(1), callerNat);
        _transport.Deliver(facingCaller.RtpPort, Rtp(2), callerNat);

        var reply = Run("query", "call-1");

        Assert.Equal("ok", reply.GetString("result"));
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeSeconds(), reply.GetInteger("created"));
        Assert.Equal(123456L, reply.GetInteger("created_us"));
        var tags = reply.GetDictionary("tags")!;
        Assert.Equal(["tagA", "tagB"], tags.Entries.Select(e => e.Key));

        var caller = tags.GetDictionary("tagA")!;
        Assert.Equal("tagA", caller.GetString("tag"));
        Assert.Equal("tagB", caller.GetString("in dialogue with"));
        var media = (BencodeDictionary)caller.GetList("medias")!.Items.Single();
        Assert.Equal(1L, media.GetInteger("index"));
        Assert.Equal("audio", media.GetString("type"));
        Assert.Equal("RTP/AVP", media.GetString("protocol"));

        var streams = media.GetList("streams")!.Items.Cast<BencodeDictionary>().ToList();
        Assert.Equal(2, streams.Count);
        var rtp = streams[0];
        Assert.Equal(facingCaller.RtpPort, rtp.GetInteger("local port"));
        var endpoint = rtp.GetDictionary("endpoint")!;
        Assert.Equal("IPv4", endpoint.GetString("family"));
        Assert.Equal("203.0.113.5", endpoint.GetString("address"));
        Assert.Equal(40123L, endpoint.GetInteger("port"));
        var advertised = rtp.GetDictionary("advertised endpoint")!;
        Assert.Equal("10.0.0.1", advertised.GetString("address"));
        Assert.Equal(5000L, advertised.GetInteger("port"));
        Assert.Equal(2L, rtp.GetDictionary("stats")!.GetInteger("packets"));
        Assert.Equal(2L * 172, rtp.GetDictionary("stats")!.GetInteger("bytes"));
        Assert.Contains("RTP", rtp.GetList("flags")!.Items.Select(i => i.AsText()));
        Assert.Equal(facingCaller.RtcpPort, streams[1].GetInteger("local port"));
        Assert.Equal(5001L, streams[1].GetDictionary("advertised endpoint")!.GetInteger("port"));

        var callee = tags.GetDictionary("tagB")!;
        Assert.Equal("tagA", callee.GetString("in dialogue with"));
        var calleeRtp = (BencodeDictionary)((BencodeDictionary)callee.GetList("medias")!.Items[0]).GetList("streams")!.Items[0];
        Assert.Equal(facingCallee.RtpPort, calleeRtp.GetInteger("local port"));
        Assert.Equal(0L, calleeRtp.GetDictionary("stats")!.GetInteger("packets"));

        var totals = reply.GetDictionary("totals")!;
        Assert.Equal(2L, totals.GetDictionary("RTP")!.GetInteger("packets"));
        Assert.Equal(344L, totals.GetDictionary("RTP")!.GetInteger("bytes"));
        Assert.Equal(0L, totals.GetDictionary("RTCP")!.GetInteger("packets"));
    }

    [Fact]
    public void QueryReportsEachSidesInterfaceAndQualityAndRtpenginesSsrcBlock()
    {
        var (_, facingCaller) = Call();
        // Sequence 1, 2, then 4: one packet lost of four expected.
        foreach (ushort sequence in (ReadOnlySpan<ushort>)[1, 2, 4])
        {
            _clock.Advance(TimeSpan.FromMilliseconds(20));
            _transport.Deliver(facingCaller.RtpPort, Rtp(sequence), CallerSdp);
        }

        var reply = Run("query", "call-1");

        var media = (BencodeDictionary)reply.GetDictionary("tags")!.GetDictionary("tagA")!.GetList("medias")!.Items.Single();
        Assert.Equal("default", media.GetString("interface"));
        var quality = media.GetDictionary("quality")!;
        Assert.Equal(0x42L, quality.GetInteger("SSRC"));
        Assert.Equal(4L, quality.GetInteger("packets expected"));
        Assert.Equal(1L, quality.GetInteger("packets lost"));
        Assert.Equal(250L, quality.GetInteger("packet loss permille"));
        var ssrc = reply.GetDictionary("SSRC")!.GetDictionary("66")!.GetDictionary("average MOS")!;
        Assert.Equal(25L, ssrc.GetInteger("packet loss"));
        Assert.InRange(ssrc.GetInteger("MOS")!.Value, 10L, 45L);
    }

    [Fact]
    public void QueryErrors()
    {
        Assert.Equal(NgErrors.NoCallId, Run("query").GetString("error-reason"));
        Assert.Equal(NgErrors.UnknownCallId, Run("query", "nope").GetString("error-reason"));
        Assert.Equal("error", Run("query", "nope").GetString("result"));
    }

    [Fact]
    public void DeleteWithZeroDelayRemovesTheCallAndReturnsItsStatistics()
    {
        var (_, facingCaller) = Call();
        _transport.Deliver(facingCaller.RtpPort, Rtp(1), CallerSdp);
        var socketsDuringCall = _transport.OpenSockets;

        var reply = Run("delete", "call-1", b => b.Add("delete-delay", 0));

        Assert.Equal("ok", reply.GetString("result"));
        Assert.Equal(1L, reply.GetDictionary("totals")!.GetDictionary("RTP")!.GetInteger("packets"));
        Assert.Equal(NgErrors.UnknownCallId, Run("query", "call-1").GetString("error-reason"));
        Assert.Equal(4, socketsDuringCall); // two parties, RTP and RTCP each
        Assert.Equal(0, _sessions.Totals.PortsInUse);
        _clock.Advance(TimeSpan.FromSeconds(3)); // the freed ports' reuse time (2 s) and a sweep: their sockets close
        Assert.Equal(0, _transport.OpenSockets);
    }

    [Fact]
    public void DeleteWaitsOutTheDefaultDelayAndTheCallAnswersQueryMeanwhile()
    {
        Call();

        var reply = Run("delete", "call-1");
        Assert.Equal("ok", reply.GetString("result"));
        Assert.NotNull(reply.GetDictionary("tags"));

        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("ok", Run("query", "call-1").GetString("result"));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(NgErrors.UnknownCallId, Run("query", "call-1").GetString("error-reason"));
        Assert.Equal(0, _sessions.Totals.PortsInUse);
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(0, _transport.OpenSockets);
    }

    [Fact]
    public void DeleteDelayFromTheRequestAsStringOrFlagWins()
    {
        Call("a");
        Call("b");

        Run("delete", "a", d => d.Add("Delete Delay", "5"));
        Run("delete", "b", d => d.Add("flags", new BencodeList { "delete-delay=0" }));

        Assert.Equal(NgErrors.UnknownCallId, Run("query", "b").GetString("error-reason"));
        _clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("ok", Run("query", "a").GetString("result"));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(NgErrors.UnknownCallId, Run("query", "a").GetString("error-reason"));
    }

    [Fact]
    public void AnAbsurdDeleteDelayIsClampedNotAnError()
    {
        Call("a");

        var reply = Run("delete", "a", d => d.Add("delete delay", 999_999_999_999L));
        Assert.True(reply.GetString("result") == "ok", reply.GetString("error-reason"));
        Assert.Equal("ok", Run("query", "a").GetString("result"));
        Assert.True(_sessions.IsRemovalPending("a"));
    }

    [Fact]
    public void AnOfferDuringTheDeleteDelayKeepsTheCall()
    {
        Call();
        Run("delete", "call-1", d => d.Add("delete delay", 10));
        Assert.True(_sessions.IsRemovalPending("call-1"));

        // A new INVITE after a failed branch signals the call again: it stays.
        Assert.Equal(SessionError.None, _sessions.Offer("call-1", "tagA", null, [new("audio", CallerSdp.Address, CallerSdp.Port)], null, out _));
        Assert.False(_sessions.IsRemovalPending("call-1"));
        _clock.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal("ok", Run("query", "call-1").GetString("result"));
    }

    [Fact]
    public void DeleteWithTagsRemovesTheWholeCall()
    {
        Call();

        Run("delete", "call-1", d =>
        {
            d.Add("from-tag", "tagA");
            d.Add("to-tag", "tagB");
            d.Add("via-branch", "z9hG4bK1");
            d.Add("delete delay", 0);
        });

        Assert.Empty(_sessions.ListCallIds());
    }

    [Fact]
    public void DeleteOfAnUnknownCallWarnsOrFailsWithFatal()
    {
        var lenient = Run("delete", "nope");
        Assert.Equal("ok", lenient.GetString("result"));
        Assert.Equal("Call-ID not found or tags didn't match", lenient.GetString("warning"));

        var fatal = Run("delete", "nope", d => d.Add("flags", new BencodeList { "fatal" }));
        Assert.Equal("error", fatal.GetString("result"));
        Assert.Equal("Unknown call-id", fatal.GetString("error-reason"));

        Assert.Equal("No call-id in message", Run("delete").GetString("error-reason"));
    }

    [Fact]
    public void ListReturnsCallIdsUpToTheLimit()
    {
        Call("a");
        Call("b");
        Call("c");

        var all = Run("list").GetList("calls")!.Items.Select(i => i.AsText()).Order().ToList();
        var two = Run("list", more: d => d.Add("limit", 2)).GetList("calls")!;

        Assert.Equal(["a", "b", "c"], all);
        Assert.Equal(2, two.Count);
    }

    [Fact]
    public void StatisticsReportSessionsAndPorts()
    {
        Call("a");
        Call("b");
        Run("delete", "b", d => d.Add("delete delay", 0));

        var statistics = Run("statistics").GetDictionary("statistics")!;

        Assert.Equal(1L, statistics.GetDictionary("currentstatistics")!.GetInteger("sessionsown"));
        Assert.Equal(2L, statistics.GetDictionary("totalstatistics")!.GetInteger("managedsessions"));
        Assert.Equal(1L, statistics.GetDictionary("totalstatistics")!.GetInteger("endedsessions"));
        var ports = statistics.GetDictionary("ports")!;
        Assert.Equal(4L, ports.GetInteger("used")); // the one remaining call: two parties, RTP and RTCP each
        Assert.Equal(ports.GetInteger("total") - ports.GetInteger("used"), ports.GetInteger("free"));
    }

    [Fact]
    public void SessionLimitGivesLoadLimitOnlyToProxiesThatSupportIt()
    {
        using var limited = new SessionManager(new RelayOptions { PortMin = 31000, PortMax = 31099, MaxSessions = 1 }, new NullTransport(), _clock);
        Assert.Equal(SessionError.None, limited.Offer("one", "t", null, [new("audio", CallerSdp.Address, CallerSdp.Port)], null, out _));
        var error = limited.Offer("two", "t", null, [new("audio", CallerSdp.Address, CallerSdp.Port)], null, out _);

        var plain = new NgRequest(new BencodeDictionary { { "command", "offer" } });
        var supporting = new NgRequest(new BencodeDictionary { { "command", "offer" }, { "supports", new BencodeList { "load limit" } } });

        Assert.Equal(SessionError.SessionLimit, error);
        Assert.Equal("Parallel session limit reached", NgReplies.FromSessionError(error, plain)!.GetString("error-reason"));
        Assert.Equal("load limit", NgReplies.FromSessionError(error, supporting)!.GetString("result"));
    }

    [Fact]
    public void PortExhaustionMapsToRanOutOfPorts()
    {
        // Two pairs: room for one stream (caller and callee sides), none for a second call.
        using var tiny = new SessionManager(new RelayOptions { PortMin = 32000, PortMax = 32003 }, new NullTransport(), _clock);
        Assert.Equal(SessionError.None, tiny.Offer("one", "t", null, [new("audio", CallerSdp.Address, CallerSdp.Port)], null, out _));
        var error = tiny.Offer("two", "t", null, [new("audio", CallerSdp.Address, CallerSdp.Port)], null, out _);

        var reply = NgReplies.FromSessionError(error, new NgRequest(new BencodeDictionary()));

        Assert.Equal("error", reply!.GetString("result"));
        Assert.Equal("Ran out of ports", reply.GetString("error-reason"));
    }

    [Fact]
    public async Task QueryOverUdpInJson()
    {
        Call();
        await using var server = new NgServer(new NgOptions { ListenEndPoints = [new(IPAddress.Loopback, 0)] }, _dispatcher, _clock);
        server.Start();
        using var client = new NgUdpClient(server.LocalEndPoints[0]);

        var reply = await client.RequestAsync("""q1 {"command":"query","call-id":"call-1"}""");

        Assert.StartsWith("""q1 {"result":"ok","created":""", reply, StringComparison.Ordinal);
        Assert.Contains("\"in dialogue with\":\"tagB\"", reply, StringComparison.Ordinal);
        Assert.Contains("\"totals\":{\"RTP\":{\"packets\":0,\"bytes\":0,\"errors\":0}", reply, StringComparison.Ordinal);
    }
}
