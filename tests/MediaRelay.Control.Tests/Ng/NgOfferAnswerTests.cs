using System.Net;
using System.Net.Sockets;
using System.Text;
using MediaRelay.Control.Ng;
using MediaRelay.Core.Api;
using MediaRelay.Core.Model;
using MediaRelay.Protocols.Bencode;
using MediaRelay.Protocols.Sdp;
using MediaRelay.Transport.Udp;

namespace MediaRelay.Control.Tests.Ng;

/// <summary>offer and answer over a real ng UDP socket, with the real UDP transport behind the session model.</summary>
public sealed class NgOfferAnswerTests : IAsyncLifetime
{
    private const string CallerSdp =
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n" +
        "m=audio 49170 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";

    private const string CalleeSdp =
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n" +
        "m=audio 3456 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";

    // Real sockets in ranges of 8 ports: below the kernel's ephemeral range (32768-60999), where any program's
    // outgoing socket could take one of them and make "Ran out of ports" come early.
    private static int s_nextRange = 12000 + (Environment.ProcessId % 20 * 300);
    private readonly SessionManager _sessions;
    private readonly NgServerHarness _ng;
    private int _cookie;

    public NgOfferAnswerTests()
    {
        var first = Interlocked.Add(ref s_nextRange, 100) - 100;
        _sessions = new SessionManager(new RelayOptions { RelayAddress = IPAddress.Loopback, PortMin = first, PortMax = first + 7, MaxSessions = 2 }, new UdpTransport());
        _ng = NgServerHarness.Start(NgCommands.CreateDispatcher(_sessions, new NgOptions()));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _ng.DisposeAsync();
        _sessions.Dispose();
    }

    [Fact]
    public async Task Offer_and_answer_rewrite_the_sdp_and_media_flows_through_the_advertised_ports()
    {
        var offer = await Request(Offer("call-1"));
        Assert.Equal("ok", offer.GetString("result"));
        var toCallee = ParseSdp(offer.GetString("sdp")!);
        var answer = await Request(Answer("call-1"));
        Assert.Equal("ok", answer.GetString("result"));
        var toCaller = ParseSdp(answer.GetString("sdp")!);

        Assert.Equal(IPAddress.Loopback, toCallee.Media[0].Connection?.Address ?? toCallee.Connection!.Address);
        Assert.Contains("a=rtpmap:101 telephone-event/8000", toCallee.ToString(), StringComparison.Ordinal);
        Assert.Contains($"a=rtcp:{toCallee.Media[0].Port + 1}", toCallee.ToString(), StringComparison.Ordinal);

        // Two phones that send to the ports in the SDP they were given.
        using var caller = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var callee = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        caller.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        callee.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        caller.ReceiveTimeout = callee.ReceiveTimeout = 2000;
        var rtp = new byte[172];
        rtp[0] = 0x80;
        callee.SendTo(rtp, new IPEndPoint(IPAddress.Loopback, toCallee.Media[0].Port));
        await WaitUntil(() => _sessions.Query("call-1")!.Streams[0].Callee.Rtp.Packets == 1);
        rtp[2] = 7;
        caller.SendTo(rtp, new IPEndPoint(IPAddress.Loopback, toCaller.Media[0].Port));

        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var length = callee.ReceiveFrom(buffer, ref from);
        Assert.Equal(rtp, buffer[..length]);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, toCallee.Media[0].Port), from);
    }

    [Fact]
    public async Task Replace_origin_and_session_connection_name_the_relay()
    {
        var offer = await Request(Offer("call-2", b => b.Add("replace", new BencodeList { new BencodeString("origin"), new BencodeString("session-connection") })));
        var sdp = offer.GetString("sdp")!;
        Assert.Contains("o=alice 2890844526 2890844526 IN IP4 127.0.0.1\r\n", sdp, StringComparison.Ordinal);
        Assert.Contains("c=IN IP4 127.0.0.1\r\n", sdp, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.1", sdp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ice_remove_strips_candidates_and_transport_protocol_is_rewritten()
    {
        var withIce = CallerSdp.Replace("m=audio 49170 RTP/AVP 0 101", "m=audio 49170 RTP/SAVPF 0 101", StringComparison.Ordinal)
            + "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\na=candidate:1 1 UDP 2130706431 10.0.0.1 49170 typ host\r\n";
        var offer = await Request(Offer("call-3", b =>
        {
            b.Set("sdp", new BencodeString(withIce));
            b.Add("ICE", "remove");
            b.Add("transport-protocol", "RTP/AVP");
        }));
        var sdp = offer.GetString("sdp")!;
        Assert.DoesNotContain("a=candidate", sdp, StringComparison.Ordinal);
        Assert.DoesNotContain("a=ice-ufrag", sdp, StringComparison.Ordinal);
        Assert.Contains("RTP/AVP 0 101", sdp, StringComparison.Ordinal);

        // query reports the protocol the caller offered.
        var query = await Request(new BencodeDictionary { { "command", "query" }, { "call-id", "call-3" } });
        var medias = query.GetDictionary("tags")!.GetDictionary("alice-tag")!.GetList("medias")!;
        Assert.Equal("RTP/SAVPF", ((BencodeDictionary)medias.Items[0]).GetString("protocol"));
        Assert.True(query.GetInteger("last signal") >= query.GetInteger("created"));
    }

    [Fact]
    public async Task Default_ice_advertises_the_relay_candidate_with_the_party_credentials()
    {
        var withIce = CallerSdp + "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\na=candidate:1 1 UDP 2130706431 10.0.0.1 49170 typ host\r\n";
        var offer = await Request(Offer("call-4", b => b.Set("sdp", new BencodeString(withIce))));
        var sdp = ParseSdp(offer.GetString("sdp")!);
        var text = sdp.ToString();
        Assert.Contains("a=ice-ufrag:abcd", text, StringComparison.Ordinal);
        Assert.Contains("a=ice-pwd:0123456789abcdefghijkl", text, StringComparison.Ordinal);
        Assert.Contains($" 127.0.0.1 {sdp.Media[0].Port} typ host", text, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.1 49170", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reoffer_keeps_the_ports_and_a_retransmission_gets_the_same_bytes_without_a_second_call()
    {
        var body = Encoding.UTF8.GetString(BencodeWriter.ToArray(Offer("call-5")));
        var first = await _ng.Client.RequestAsync("same-cookie " + body);
        var again = await _ng.Client.RequestAsync("same-cookie " + body);
        Assert.Equal(first, again);
        Assert.Equal(4, _sessions.Totals.PortsInUse);

        var reoffer = await Request(Offer("call-5"));
        Assert.Equal(ParseSdp(ReplySdp(first)).Media[0].Port, ParseSdp(reoffer.GetString("sdp")!).Media[0].Port);
        Assert.Equal(4, _sessions.Totals.PortsInUse);
    }

    [Theory]
    [InlineData("call-id", "No call-id in message")]
    [InlineData("from-tag", "No from-tag in message")]
    [InlineData("sdp", "No SDP body in message")]
    public async Task Missing_keys_get_the_error_strings_proxies_match(string missing, string error)
    {
        var body = Offer("call-6");
        var without = new BencodeDictionary();
        foreach (var entry in body.Entries)
        {
            if (entry.Key != missing)
            {
                without.Set(entry.Key, entry.Value);
            }
        }

        var reply = await Request(without);
        Assert.Equal("error", reply.GetString("result"));
        Assert.Equal(error, reply.GetString("error-reason"));
        Assert.Empty(_sessions.ListCallIds());
    }

    [Fact]
    public async Task Answer_errors_name_the_missing_to_tag_and_the_unknown_call()
    {
        var noToTag = Answer("call-7");
        var without = new BencodeDictionary();
        foreach (var entry in noToTag.Entries)
        {
            if (entry.Key != "to-tag")
            {
                without.Set(entry.Key, entry.Value);
            }
        }

        Assert.Equal("No to-tag in message", (await Request(without)).GetString("error-reason"));
        Assert.Equal("Unknown call-id", (await Request(Answer("never-offered"))).GetString("error-reason"));
    }

    [Fact]
    public async Task Unparseable_sdp_gets_an_error_and_creates_nothing()
    {
        foreach (var bad in new[] { "hello", "v=0\r\nm=audio port RTP/AVP 0\r\n", "v=0\r\nc=IN IP4 999.1.1.1\r\nm=audio 1 RTP/AVP 0\r\n", "\u0001\u0002" })
        {
            var reply = await Request(Offer("call-8", b => b.Set("sdp", new BencodeString(bad))));
            Assert.Equal("Failed to parse SDP", reply.GetString("error-reason"));
        }

        Assert.Empty(_sessions.ListCallIds());
        Assert.Equal(0, _sessions.Totals.PortsInUse);
    }

    [Fact]
    public async Task Out_of_ports_and_the_session_limit_have_their_own_errors()
    {
        // The range holds 4 pairs: two calls of one stream each.
        Assert.Equal("ok", (await Request(Offer("a"))).GetString("result"));
        Assert.Equal("ok", (await Request(Offer("b"))).GetString("result"));
        Assert.Equal("Parallel session limit reached", (await Request(Offer("c"))).GetString("error-reason"));
        Assert.Equal("load limit", (await Request(Offer("c", x => x.Add("supports", new BencodeList { new BencodeString("load limit") })))).GetString("result"));

        var video = CallerSdp + "m=video 49172 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";
        Assert.Equal("Ran out of ports", (await Request(Offer("a", x => x.Set("sdp", new BencodeString(video))))).GetString("error-reason"));
        Assert.Single(_sessions.Query("a")!.Streams);
    }

    [Fact]
    public async Task An_offer_of_33_m_lines_is_refused_and_takes_no_port()
    {
        // The default --max-streams is 32.
        var sdp = CallerSdp + string.Concat(Enumerable.Range(1, 32).Select(i => $"m=audio {49170 + (2 * i)} RTP/AVP 0\r\n"));

        var reply = await Request(Offer("call-33", b => b.Set("sdp", new BencodeString(sdp))));

        Assert.Equal("error", reply.GetString("result"));
        Assert.Equal("Too many media streams", reply.GetString("error-reason"));
        Assert.Empty(_sessions.ListCallIds());
        Assert.Equal(0, _sessions.Totals.PortsInUse);
    }

    [Fact]
    public async Task Key_spellings_are_normalised_and_unknown_keys_ignored()
    {
        var body = new BencodeDictionary
        {
            { "Command", "OFFER" },
            { "Call_ID", "call-9" },
            { "From Tag", "t1" },
            { "sdp", CallerSdp },
            { "x-unknown-key", "whatever" },
            { "flags", new BencodeList { new BencodeString("no-such-flag"), new BencodeString("trust-address") } },
        };
        var reply = await Request(body);
        Assert.Equal("ok", reply.GetString("result"));
        Assert.Equal(["call-9"], _sessions.ListCallIds());
    }

    private static BencodeDictionary Offer(string callId, Action<BencodeDictionary>? more = null)
    {
        var body = new BencodeDictionary { { "command", "offer" }, { "call-id", callId }, { "from-tag", "alice-tag" }, { "sdp", CallerSdp } };
        more?.Invoke(body);
        return body;
    }

    private static BencodeDictionary Answer(string callId) =>
        new() { { "command", "answer" }, { "call-id", callId }, { "from-tag", "alice-tag" }, { "to-tag", "bob-tag" }, { "sdp", CalleeSdp } };

    private Task<BencodeDictionary> Request(BencodeDictionary body) =>
        _ng.RequestAsync("k" + Interlocked.Increment(ref _cookie), body);

    private static SdpSession ParseSdp(string text)
    {
        Assert.True(SdpSession.TryParse(text, out var sdp, out var error), error);
        return sdp!;
    }

    private static string ReplySdp(string raw)
    {
        var space = raw.IndexOf(' ', StringComparison.Ordinal);
        Assert.True(BencodeReader.TryParse(Encoding.UTF8.GetBytes(raw[(space + 1)..]), out var value, out _));
        return ((BencodeDictionary)value!).GetString("sdp")!;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 5 s");
            await Task.Delay(10);
        }
    }
}
