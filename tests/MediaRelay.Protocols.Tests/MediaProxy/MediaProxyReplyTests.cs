using System.Net;
using MediaRelay.Protocols.MediaProxy;

namespace MediaRelay.Protocols.Tests.MediaProxy;

public sealed class MediaProxyReplyTests
{
    [Fact]
    public void Update_reply_is_the_address_then_one_port_per_stream()
    {
        Assert.Equal("192.0.2.10 50000 50002\r\n", MediaProxyReply.FormatUpdate(IPAddress.Parse("192.0.2.10"), [50000, 50002]));
    }

    [Fact]
    public void A_rejected_stream_gets_port_0()
    {
        Assert.Equal("192.0.2.10 50000 0\r\n", MediaProxyReply.FormatUpdate(IPAddress.Parse("192.0.2.10"), [50000, 0]));
    }

    [Fact]
    public void An_IPv6_relay_address_is_written_without_brackets()
    {
        Assert.Equal("2001:db8::10 50000\r\n", MediaProxyReply.FormatUpdate(IPAddress.Parse("2001:db8::10"), [50000]));
    }

    [Fact]
    public void An_update_without_media_gets_the_address_alone()
    {
        Assert.Equal("192.0.2.10\r\n", MediaProxyReply.FormatUpdate(IPAddress.Parse("192.0.2.10"), []));
    }

    [Fact]
    public void A_port_out_of_range_is_a_programming_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MediaProxyReply.FormatUpdate(IPAddress.Loopback, [65536]));
        Assert.Throws<ArgumentOutOfRangeException>(() => MediaProxyReply.FormatUpdate(IPAddress.Loopback, [-1]));
    }

    [Fact]
    public void Error_and_removed_are_single_crlf_lines()
    {
        Assert.Equal("error\r\n", MediaProxyReply.Error);
        Assert.Equal("removed\r\n", MediaProxyReply.Removed);
    }

    private static readonly MediaProxySessionStatistics Answered = new(
        CallId: MediaProxySamples.CallId,
        FromTag: "1928301774",
        FromUri: "alice@atlanta.example.com",
        ToTag: "a6c85cf",
        ToUri: "bob@biloxi.example.com",
        StartTime: DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500),
        Duration: 62,
        CallerUa: "Linphone/5.2.0 (belle-sip/5.2.0)",
        CalleeUa: "Grandstream GXP2170 1.0.11.23",
        Streams:
        [
            new MediaProxyStreamStatistics(
                MediaType: "audio",
                Status: "closed",
                TimeoutWait: 0,
                CallerCodec: "G711u",
                CalleeCodec: "G711u",
                StartTime: 0,
                EndTime: 62,
                PostDialDelay: 0.25,
                CallerBytes: 496000,
                CalleeBytes: 495840,
                CallerPackets: 3100,
                CalleePackets: 3099,
                CallerLocal: IPEndPoint.Parse("192.0.2.10:50000"),
                CalleeLocal: IPEndPoint.Parse("192.0.2.10:50002"),
                CallerRemote: IPEndPoint.Parse("198.51.100.7:49170"),
                CalleeRemote: IPEndPoint.Parse("[2001:db8::77]:40000")),
        ],
        DialogId: MediaProxyDialogId.FromKamailio(3265, 1908123),
        TimedOut: false);

    private const string AnsweredJson =
        "{\"call_id\":\"a84b4c76e66710@pc33.atlanta.example.com\",\"from_tag\":\"1928301774\"," +
        "\"from_uri\":\"alice@atlanta.example.com\",\"to_tag\":\"a6c85cf\",\"to_uri\":\"bob@biloxi.example.com\"," +
        "\"start_time\":1700000000.5,\"duration\":62,\"caller_ua\":\"Linphone/5.2.0 (belle-sip/5.2.0)\"," +
        "\"callee_ua\":\"Grandstream GXP2170 1.0.11.23\",\"streams\":[{\"media_type\":\"audio\",\"status\":\"closed\"," +
        "\"timeout_wait\":0,\"caller_codec\":\"G711u\",\"callee_codec\":\"G711u\",\"start_time\":0,\"end_time\":62," +
        "\"post_dial_delay\":0.25,\"caller_bytes\":496000,\"callee_bytes\":495840,\"caller_packets\":3100," +
        "\"callee_packets\":3099,\"caller_local\":\"192.0.2.10:50000\",\"callee_local\":\"192.0.2.10:50002\"," +
        "\"caller_remote\":\"198.51.100.7:49170\",\"callee_remote\":\"[2001:db8::77]:40000\"}]," +
        "\"dialog_id\":\"3265:1908123\",\"timed_out\":false}";

    private static readonly MediaProxySessionStatistics Unanswered = new(
        CallId: "c1",
        FromTag: "f1",
        FromUri: "a@x",
        ToTag: null,
        ToUri: "b@y",
        StartTime: null,
        Duration: 0,
        CallerUa: "Unknown",
        CalleeUa: "Unknown",
        Streams: []);

    private const string UnansweredJson =
        "{\"call_id\":\"c1\",\"from_tag\":\"f1\",\"from_uri\":\"a@x\",\"to_tag\":null,\"to_uri\":\"b@y\"," +
        "\"start_time\":null,\"duration\":0,\"caller_ua\":\"Unknown\",\"callee_ua\":\"Unknown\",\"streams\":[]}";

    [Fact]
    public void Session_statistics_of_an_answered_call_with_the_dispatcher_fields()
    {
        Assert.Equal(AnsweredJson, MediaProxyJson.FormatSessionStatistics(Answered));
    }

    [Fact]
    public void Session_statistics_of_an_unanswered_call_write_nulls_and_omit_the_dispatcher_fields()
    {
        Assert.Equal(UnansweredJson, MediaProxyJson.FormatSessionStatistics(Unanswered));
    }

    [Fact]
    public void A_stream_that_never_started_writes_nulls_and_Unknown()
    {
        var stream = new MediaProxyStreamStatistics(
            "video", "rejected", 0, "Unknown", "Unknown", null, null, null, 0, 0, 0, 0,
            IPEndPoint.Parse("192.0.2.10:50004"), IPEndPoint.Parse("192.0.2.10:50006"), null, null);
        var json = MediaProxyJson.FormatSessionStatistics(Unanswered with { Streams = [stream], TimedOut = true, AllStreamsIce = true });

        Assert.Equal(
            "{\"call_id\":\"c1\",\"from_tag\":\"f1\",\"from_uri\":\"a@x\",\"to_tag\":null,\"to_uri\":\"b@y\"," +
            "\"start_time\":null,\"duration\":0,\"caller_ua\":\"Unknown\",\"callee_ua\":\"Unknown\",\"streams\":[" +
            "{\"media_type\":\"video\",\"status\":\"rejected\",\"timeout_wait\":0,\"caller_codec\":\"Unknown\"," +
            "\"callee_codec\":\"Unknown\",\"start_time\":null,\"end_time\":null,\"post_dial_delay\":null," +
            "\"caller_bytes\":0,\"callee_bytes\":0,\"caller_packets\":0,\"callee_packets\":0," +
            "\"caller_local\":\"192.0.2.10:50004\",\"callee_local\":\"192.0.2.10:50006\"," +
            "\"caller_remote\":\"Unknown\",\"callee_remote\":\"Unknown\"}],\"timed_out\":true,\"all_streams_ice\":true}",
            json);
    }

    [Fact]
    public void Sessions_reply_is_one_array_line()
    {
        Assert.Equal($"[{AnsweredJson},{UnansweredJson}]\r\n", MediaProxyJson.FormatSessions([Answered, Unanswered]));
        Assert.Equal("[]\r\n", MediaProxyJson.FormatSessions([]));
    }

    [Fact]
    public void Summary_reply_is_one_array_line_of_relays()
    {
        var relay = new MediaProxyRelaySummary(
            IPAddress.Parse("192.0.2.10"),
            "1.0.0",
            "active",
            3600,
            2,
            new Dictionary<string, int> { ["audio"] = 3, ["video"] = 1 },
            128000.5);

        Assert.Equal(
            "[{\"ip\":\"192.0.2.10\",\"version\":\"1.0.0\",\"status\":\"active\",\"uptime\":3600,\"session_count\":2," +
            "\"stream_count\":{\"audio\":3,\"video\":1},\"bps_relayed\":128000.5}]\r\n",
            MediaProxyJson.FormatSummary([relay]));
    }

    [Fact]
    public void Summary_of_an_idle_relay_on_IPv6()
    {
        var relay = new MediaProxyRelaySummary(IPAddress.Parse("2001:db8::10"), "1.0.0", "halting", 5, 0, new Dictionary<string, int>(), 0);

        Assert.Equal(
            "[{\"ip\":\"2001:db8::10\",\"version\":\"1.0.0\",\"status\":\"halting\",\"uptime\":5,\"session_count\":0," +
            "\"stream_count\":{},\"bps_relayed\":0}]\r\n",
            MediaProxyJson.FormatSummary([relay]));
    }

    [Fact]
    public void Text_that_needs_escaping_is_escaped_and_nothing_else()
    {
        var json = MediaProxyJson.FormatSessionStatistics(Unanswered with { CallerUa = "Caf\u00e9 \"Phone\" <1+1>\\" });

        Assert.Contains("\"caller_ua\":\"Caf\u00e9 \\\"Phone\\\" <1+1>\\\\\"", json, StringComparison.Ordinal);
    }
}
