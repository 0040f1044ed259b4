using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using MediaRelay.Control.Ng;
using MediaRelay.Control.Ng.Commands;
using MediaRelay.Core.Api;
using MediaRelay.Core.Model;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Tests.Ng;

/// <summary>
/// Replies too big for one UDP datagram, over a real ng socket: query and delete of a 200-stream call come back
/// trimmed to fit, in bencode and in JSON, with their totals; any other oversized reply keeps its result.
/// </summary>
public sealed partial class NgReplySizeTests : IAsyncLifetime
{
    private const int Streams = 200;
    private static readonly IPAddress Phone = IPAddress.Parse("10.0.0.1");
    private readonly NullTransport _transport = new();
    private readonly SessionManager _sessions;
    private readonly NgServerHarness _ng;

    public NgReplySizeTests()
    {
        _sessions = new SessionManager(new RelayOptions { PortMin = 30000, PortMax = 31999, MaxStreams = 256, PortReuse = TimeSpan.Zero }, _transport);
        _ng = NgServerHarness.Start(NgCommands.CreateDispatcher(_sessions, new NgOptions()));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _ng.DisposeAsync();
        _sessions.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Query_of_a_200_stream_call_is_trimmed_to_one_datagram_and_keeps_the_totals(bool json)
    {
        BigCall("big", rtpPackets: 5);

        var raw = await Request("q1", new BencodeDictionary { { "command", "query" }, { "call-id", "big" } }, json);

        Assert.True(raw.Length <= 65_000, $"{raw.Length} bytes");
        var reply = Decode(raw, "q1", json);
        Assert.Equal("ok", reply.GetString("result"));
        var shown = ShownStreams(reply);
        Assert.InRange(shown, 20, Streams - 1);
        Assert.Equal(shown, reply.GetDictionary("tags")!.GetDictionary("tagA")!.GetList("medias")!.Count);
        Assert.Equal(shown, reply.GetDictionary("tags")!.GetDictionary("tagB")!.GetList("medias")!.Count);
        Assert.Equal(5L, reply.GetDictionary("totals")!.GetDictionary("RTP")!.GetInteger("packets"));
        Assert.Equal(1, _ng.Server.RepliesTrimmed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Delete_of_a_200_stream_call_is_trimmed_and_still_frees_every_port(bool json)
    {
        BigCall("big", rtpPackets: 3);

        var raw = await Request("d1", new BencodeDictionary { { "command", "delete" }, { "call-id", "big" }, { "delete-delay", 0 } }, json);

        Assert.True(raw.Length <= 65_000, $"{raw.Length} bytes");
        var reply = Decode(raw, "d1", json);
        Assert.Equal("ok", reply.GetString("result"));
        Assert.InRange(ShownStreams(reply), 20, Streams - 1);
        Assert.Equal(3L, reply.GetDictionary("totals")!.GetDictionary("RTP")!.GetInteger("packets"));
        Assert.Equal(0, _transport.OpenSockets); // PortReuse 0: a freed port's sockets close at once
    }

    [Fact]
    public async Task A_retransmitted_query_gets_the_same_trimmed_bytes()
    {
        BigCall("big", rtpPackets: 0);
        var request = new BencodeDictionary { { "command", "query" }, { "call-id", "big" } };

        var first = await Request("same", request, json: false);
        var again = await Request("same", request, json: false);

        Assert.Equal(first, again);
        Assert.Equal(1, _ng.Server.RepliesTrimmed);
    }

    [Theory]
    [InlineData(false, "r d6:result2:ok7:warning72:Reply trimmed to its result: too big for one datagram (reply size limit)e")]
    [InlineData(true, """r {"result":"ok","warning":"Reply trimmed to its result: too big for one datagram (reply size limit)"}""")]
    public async Task Any_other_oversized_reply_keeps_its_result_and_says_why(bool json, string expected)
    {
        var dispatcher = new NgDispatcher();
        dispatcher.Register(new BlobHandler(70_000));
        await using var h = NgServerHarness.Start(dispatcher);

        var raw = await h.Client.RequestAsync(json ? """r {"command":"blob"}""" : "r d7:command4:blobe");

        Assert.Equal(expected, raw);
    }

    [Fact]
    public async Task A_reply_exactly_at_the_limit_is_sent_whole()
    {
        const string request = "e d7:command4:blobe";
        var whole = "e " + Encoding.UTF8.GetString(BencodeWriter.ToArray(new BlobHandler(500).Handle(null!)));
        var atLimit = new NgDispatcher();
        atLimit.Register(new BlobHandler(500));
        var overLimit = new NgDispatcher();
        overLimit.Register(new BlobHandler(500));
        await using var fits = NgServerHarness.Start(atLimit, options: new NgOptions { MaxReplySize = whole.Length });
        await using var over = NgServerHarness.Start(overLimit, options: new NgOptions { MaxReplySize = whole.Length - 1 });

        Assert.Equal(whole, await fits.Client.RequestAsync(request));
        Assert.Contains("Reply trimmed to its result", await over.Client.RequestAsync(request), StringComparison.Ordinal);
    }

    /// <summary>A call of <see cref="Streams"/> audio streams, offered and answered, with RTP from the caller on the first stream.</summary>
    private void BigCall(string callId, int rtpPackets)
    {
        var media = Enumerable.Range(0, Streams).Select(i => new MediaDescription("audio", Phone, 5000 + (2 * i))).ToList();
        Assert.Equal(SessionError.None, _sessions.Offer(callId, "tagA", null, media, null, out _));
        Assert.Equal(SessionError.None, _sessions.Answer(callId, "tagA", "tagB", media, null, out var answered));
        var rtp = new byte[172];
        rtp[0] = 0x80;
        for (var i = 0; i < rtpPackets; i++)
        {
            rtp[3] = (byte)i;
            _transport.Deliver(answered[0].RtpPort, rtp, new IPEndPoint(Phone, 5000));
        }
    }

    private async Task<string> Request(string cookie, BencodeDictionary body, bool json)
    {
        var text = json ? NgJsonText(body) : Encoding.UTF8.GetString(BencodeWriter.ToArray(body));
        return await _ng.Client.RequestAsync(cookie + " " + text);
    }

    private static string NgJsonText(BencodeDictionary body)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        NgJson.Write(body, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static BencodeDictionary Decode(string raw, string cookie, bool json)
    {
        Assert.StartsWith(cookie + " ", raw, StringComparison.Ordinal);
        var body = Encoding.UTF8.GetBytes(raw[(cookie.Length + 1)..]);
        var parsed = json ? NgJson.TryParse(body, out var value, out var error) : BencodeReader.TryParse(body, out value, out error);
        Assert.True(parsed, error);
        return Assert.IsType<BencodeDictionary>(value);
    }

    /// <summary>N from the warning "Report trimmed: N of 200 media streams shown (reply size limit)".</summary>
    private static int ShownStreams(BencodeDictionary reply)
    {
        var match = TrimmedWarning().Match(reply.GetString("warning") ?? string.Empty);
        Assert.True(match.Success, reply.GetString("warning"));
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^Report trimmed: (\d+) of 200 media streams shown \(reply size limit\)$")]
    private static partial Regex TrimmedWarning();
}
