using System.Net;
using System.Text;
using MediaRelay.Control.MediaProxy;
using MediaRelay.Control.Tests.Ng;
using MediaRelay.Core.Api;
using MediaRelay.Core.Model;
using MediaRelay.Core.Statistics;
using MediaRelay.Protocols.MediaProxy;
using Microsoft.Extensions.Time.Testing;

namespace MediaRelay.Control.Tests.MediaProxy;

/// <summary>MediaProxy's requests, byte for byte as Kamailio's mediaproxy module writes them, against a real session manager.</summary>
public sealed class MediaProxyHandlerTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
    private readonly NullTransport _transport = new();
    private readonly SessionManager _sessions;
    private readonly MediaProxyHandler _handler;

    public MediaProxyHandlerTests()
    {
        _sessions = new SessionManager(new RelayOptions { RelayAddress = IPAddress.Parse("192.0.2.10"), PortMin = 30000, PortMax = 30099 }, _transport, _clock);
        _handler = new MediaProxyHandler(_sessions, IPAddress.Parse("192.0.2.10"), _clock);
    }

    public void Dispose() => _sessions.Dispose();

    private static string Update(string type, string fromTag, string toTag, string? media, string signalling = "198.51.100.7", string dialog = "3265:1908123") =>
        "update\r\n" +
        $"type: {type}\r\n" +
        $"dialog_id: {dialog}\r\n" +
        "call_id: a84b4c76e66710@pc33.example.com\r\n" +
        "cseq: 314159\r\n" +
        "from_uri: alice@atlanta.example.com\r\n" +
        "to_uri: bob@biloxi.example.com\r\n" +
        $"from_tag: {fromTag}\r\n" +
        $"to_tag: {toTag}\r\n" +
        "user_agent: Linphone/5.2.0\r\n" +
        $"signaling_ip: {signalling}\r\n" +
        "media_relay: \r\n" +
        (media is null ? "" : $"media: {media}\r\n") +
        "\r\n";

    private string Run(string request) => Encoding.UTF8.GetString(_handler.Handle(Encoding.UTF8.GetBytes(request)));

    private const string CallId = "a84b4c76e66710@pc33.example.com";

    [Fact]
    public void An_invite_and_its_200_set_up_a_call_whose_ports_face_each_phone()
    {
        var offer = Run(Update("request", "1928301774", "", "audio:198.51.100.7:49170:sendrecv:ice=no,video:198.51.100.7:51372:recvonly:ice=no"));
        var answer = Run(Update("reply", "1928301774", "a6c85cf", "audio:203.0.113.5:3456:sendrecv:ice=no,video:203.0.113.5:0:recvonly:ice=no", "203.0.113.5"));

        // The INVITE's SDP goes to the callee: ports facing the callee; the 200's to the caller: ports facing the caller.
        var call = _sessions.Query(CallId)!;
        Assert.Equal($"192.0.2.10 {call.Streams[0].Callee.Rtp.Local.Port} {call.Streams[1].Callee.Rtp.Local.Port}\r\n", offer);
        Assert.Equal($"192.0.2.10 {call.Streams[0].Caller.Rtp.Local.Port} 0\r\n", answer);
        Assert.Equal("1928301774", call.CallerTag);
        Assert.Equal("a6c85cf", call.CalleeTag);
        Assert.Equal(IPEndPoint.Parse("198.51.100.7:49170"), call.Streams[0].Caller.Rtp.SdpRemote);
        Assert.Equal(IPEndPoint.Parse("203.0.113.5:3456"), call.Streams[0].Callee.Rtp.SdpRemote);
        Assert.Equal(EndReason.Rejected, call.Streams[1].EndReason);
    }

    [Fact]
    public void A_late_offer_in_the_200_is_answered_by_the_ack()
    {
        var offer = Run(Update("reply", "caller-tag", "callee-tag", "audio:203.0.113.5:3456:sendrecv:ice=no"));
        var answer = Run(Update("request", "caller-tag", "callee-tag", "audio:198.51.100.7:49170:sendrecv:ice=no"));

        Assert.StartsWith("192.0.2.10 ", offer);
        Assert.StartsWith("192.0.2.10 ", answer);
        var stream = Assert.Single(_sessions.Query(CallId)!.Streams);
        // Each phone's address lands on its own side: the callee (who offered) on one, the caller on the other.
        var sides = new[] { stream.Caller.Rtp.SdpRemote, stream.Callee.Rtp.SdpRemote };
        Assert.Contains(IPEndPoint.Parse("203.0.113.5:3456"), sides);
        Assert.Contains(IPEndPoint.Parse("198.51.100.7:49170"), sides);
        Assert.Equal(4, _sessions.Totals.PortsInUse);
    }

    [Fact]
    public void A_reinvite_from_the_callee_updates_the_callees_side_and_keeps_the_ports()
    {
        var first = Run(Update("request", "ft", "", "audio:198.51.100.7:49170:sendrecv:ice=no"));
        Run(Update("reply", "ft", "tt", "audio:203.0.113.5:3456:sendrecv:ice=no"));

        // The callee re-INVITEs from a new address: From is the callee now.
        var reoffer = Run(Update("request", "tt", "ft", "audio:203.0.113.99:4000:sendonly:ice=no"));
        var reanswer = Run(Update("reply", "tt", "ft", "audio:198.51.100.7:49170:recvonly:ice=no"));

        var stream = Assert.Single(_sessions.Query(CallId)!.Streams);
        Assert.Equal(IPEndPoint.Parse("203.0.113.99:4000"), stream.Callee.Rtp.SdpRemote);
        Assert.Equal(IPEndPoint.Parse("198.51.100.7:49170"), stream.Caller.Rtp.SdpRemote);
        Assert.Equal($"192.0.2.10 {stream.Caller.Rtp.Local.Port}\r\n", reoffer);
        Assert.Equal(first, reanswer);
        Assert.Equal(4, _sessions.Totals.PortsInUse);
    }

    [Fact]
    public void Remove_ends_the_call_and_frees_its_ports_and_an_unknown_call_gets_error()
    {
        Run(Update("request", "ft", "", "audio:198.51.100.7:49170:sendrecv:ice=no"));

        Assert.Equal("removed\r\n", Run($"remove\r\ncall_id: {CallId}\r\nfrom_tag: ft\r\nto_tag: \r\n\r\n"));
        Assert.Null(_sessions.Query(CallId));
        Assert.Equal(0, _sessions.Totals.PortsInUse);
        Assert.Equal(0, _handler.Calls);
        Assert.Equal("error\r\n", Run($"remove\r\ncall_id: {CallId}\r\nfrom_tag: ft\r\n\r\n"));
    }

    [Theory]
    [InlineData("update\r\ntype: request\r\n\r\n")] // no call_id and the other required headers
    [InlineData("update\r\ntype: sideways\r\ncall_id: x\r\nfrom_tag: f\r\n\r\n")]
    [InlineData("launch\r\ncall_id: x\r\n\r\n")]
    [InlineData("\u0001\u0002\u00ff")]
    [InlineData("")]
    public void A_malformed_request_gets_error_and_creates_nothing(string request)
    {
        Assert.Equal("error\r\n", Run(request));
        Assert.Equal(0, _sessions.Totals.CurrentSessions);
    }

    [Fact]
    public void A_refused_update_gets_error_and_leaves_no_state()
    {
        var streams = string.Join(",", Enumerable.Range(0, 32).Select(i => $"audio:198.51.100.7:{10000 + (2 * i)}:sendrecv:ice=no"));
        using var small = new SessionManager(new RelayOptions { PortMin = 31000, PortMax = 31007 }, new NullTransport(), _clock);
        var handler = new MediaProxyHandler(small, IPAddress.Loopback, _clock);

        var reply = Encoding.UTF8.GetString(handler.Handle(Encoding.UTF8.GetBytes(Update("request", "ft", "", streams))));

        Assert.Equal("error\r\n", reply);
        Assert.Equal(0, small.Totals.PortsInUse);
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public void Sessions_and_summary_report_the_running_calls_in_mediaproxys_shape()
    {
        Run(Update("request", "ft", "", "audio:198.51.100.7:49170:sendrecv:ice=no"));
        Run(Update("reply", "ft", "tt", "audio:203.0.113.5:3456:sendrecv:ice=no"));

        var sessions = Run("sessions\r\n\r\n");
        var summary = Run("summary\r\n\r\n");

        Assert.StartsWith($"[{{\"call_id\":\"{CallId}\",\"from_tag\":\"ft\",\"from_uri\":\"alice@atlanta.example.com\",\"to_tag\":\"tt\",\"to_uri\":\"bob@biloxi.example.com\"", sessions);
        Assert.Contains("\"dialog_id\":\"3265:1908123\"", sessions);
        Assert.Contains("\"status\":\"active\"", sessions);
        Assert.EndsWith("]\r\n", sessions);
        Assert.Contains("\"session_count\":1", summary);
        Assert.Contains("\"stream_count\":{\"audio\":1}", summary);
    }

    [Fact]
    public void A_media_timeout_raises_the_dialog_to_end_and_a_removal_does_not()
    {
        var timedOut = new List<(MediaProxyDialogId Dialog, SessionStatistics Call)>();
        _handler.MediaTimedOut += (dialog, call) => timedOut.Add((dialog, call));
        Run(Update("request", "ft", "", "audio:198.51.100.7:49170:sendrecv:ice=no"));
        Run(Update("reply", "ft", "tt", "audio:203.0.113.5:3456:sendrecv:ice=no"));
        var other = Update("request", "ft2", "", "audio:198.51.100.7:49172:sendrecv:ice=no", dialog: "7:8").Replace(CallId, "other-call", StringComparison.Ordinal);
        Run(other);
        Run("remove\r\ncall_id: other-call\r\nfrom_tag: ft2\r\n\r\n");

        _clock.Advance(TimeSpan.FromSeconds(91));
        _sessions.Sweep();

        var (dialog, call) = Assert.Single(timedOut);
        Assert.Equal(MediaProxyDialogId.FromKamailio(3265, 1908123), dialog);
        Assert.Equal(EndReason.NoTrafficTimeout, call.EndReason);
        Assert.Equal(0, _handler.Calls);
    }
}
