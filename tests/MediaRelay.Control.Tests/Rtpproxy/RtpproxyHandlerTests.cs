using System.Net;
using System.Text;
using MediaRelay.Control.Rtpproxy;
using MediaRelay.Control.Tests.Ng;
using MediaRelay.Core.Api;
using MediaRelay.Core.Model;
using Microsoft.Extensions.Time.Testing;

namespace MediaRelay.Control.Tests.Rtpproxy;

/// <summary>rtpproxy commands as Kamailio's rtpproxy module sends them (rtpproxy_manage("co")), against a real session manager.</summary>
public sealed class RtpproxyHandlerTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly SessionManager _sessions;
    private readonly RtpproxyHandler _handler;

    public RtpproxyHandlerTests()
    {
        _sessions = new SessionManager(new RelayOptions { RelayAddress = IPAddress.Parse("192.0.2.10"), PortMin = 30000, PortMax = 30099 }, new NullTransport(), _clock);
        _handler = new RtpproxyHandler(_sessions, TimeSpan.FromSeconds(60));
    }

    public void Dispose() => _sessions.Dispose();

    private string Run(string command, bool cookie = true) =>
        Encoding.UTF8.GetString(_handler.Handle(Encoding.UTF8.GetBytes(command), cookie));

    [Fact]
    public void The_modules_start_up_checks_pass_and_unimplemented_capabilities_say_no()
    {
        Assert.Equal("1234_1 20040107\n", Run("1234_1 V"));
        Assert.Equal("1234_2 1\n", Run("1234_2 VF 20050322"));
        Assert.Equal("1234_3 0\n", Run("1234_3 VF 20071116")); // no repacketisation: the module sends no Z
        Assert.Equal("1234_4 0\n", Run("1234_4 VF 20081102")); // no codec list / P / S
        Assert.Equal("20040107\n", Run("V", cookie: false));
    }

    [Fact]
    public void Invite_200_and_bye_give_each_phone_the_port_facing_it_and_free_everything()
    {
        var offer = Run("1_1 Uc0,8,101 a84b4c76e667 198.51.100.10 49170 1928301774;1");
        var answer = Run("1_2 Lc0,101 a84b4c76e667 203.0.113.5 3456 1928301774;1 a6c85cf;1");

        var stream = Assert.Single(_sessions.Query("a84b4c76e667")!.Streams);
        Assert.Equal($"1_1 {stream.Callee.Rtp.Local.Port} 192.0.2.10\n", offer);
        Assert.Equal($"1_2 {stream.Caller.Rtp.Local.Port} 192.0.2.10\n", answer);
        Assert.Equal(IPEndPoint.Parse("198.51.100.10:49170"), stream.Caller.Rtp.SdpRemote);
        Assert.Equal(IPEndPoint.Parse("203.0.113.5:3456"), stream.Callee.Rtp.SdpRemote);

        Assert.Equal("1_3 0\n", Run("1_3 D a84b4c76e667 1928301774 a6c85cf"));
        Assert.Equal(0, _sessions.Totals.PortsInUse);
        Assert.Equal("1_4 E50\n", Run("1_4 D a84b4c76e667 1928301774 a6c85cf"));
    }

    [Fact]
    public void Two_m_lines_are_two_streams_of_one_call_by_medianum()
    {
        var audio = Run("2_1 U c2 198.51.100.10 49170 ft;1");
        var video = Run("2_2 U c2 198.51.100.10 51372 ft;2");
        Run("2_3 L c2 203.0.113.5 3456 ft;1 tt;1");
        Run("2_4 L c2 203.0.113.5 3458 ft;2 tt;2");

        var call = _sessions.Query("c2")!;
        Assert.Equal(2, call.Streams.Count);
        Assert.NotEqual(audio, video);
        Assert.Equal(IPEndPoint.Parse("203.0.113.5:3458"), call.Streams[1].Callee.Rtp.SdpRemote);
        Assert.Equal(8, _sessions.Totals.PortsInUse);
    }

    [Fact]
    public void A_late_offer_comes_as_u_with_swapped_tags_and_the_ack_as_l()
    {
        // 200 OK with the offer: the callee's tag first; the ACK answers with the tags swapped back.
        var offer = Run("3_1 U c3 203.0.113.5 3456 tt;1 ft;1");
        var answer = Run("3_2 L c3 198.51.100.10 49170 tt;1 ft;1");

        var stream = Assert.Single(_sessions.Query("c3")!.Streams);
        Assert.StartsWith("3_1 ", offer);
        Assert.EndsWith(" 192.0.2.10\n", answer);
        var sides = new[] { stream.Caller.Rtp.SdpRemote, stream.Callee.Rtp.SdpRemote };
        Assert.Contains(IPEndPoint.Parse("203.0.113.5:3456"), sides);
        Assert.Contains(IPEndPoint.Parse("198.51.100.10:49170"), sides);
    }

    [Fact]
    public void Ipv6_media_is_answered_with_the_ipv6_reply_form()
    {
        using var sessions = new SessionManager(new RelayOptions
        {
            RelayAddress = IPAddress.Parse("192.0.2.10"),
            RelayAddressV6 = IPAddress.Parse("2001:db8::10"),
            PortMin = 30200,
            PortMax = 30299,
        }, new NullTransport(), _clock);
        var handler = new RtpproxyHandler(sessions, TimeSpan.FromSeconds(60));

        var reply = Encoding.UTF8.GetString(handler.Handle("6_1 U6 c6 2001:db8::77 40000 ft;1"u8, hasCookie: true));

        var port = Assert.Single(sessions.Query("c6")!.Streams).Callee.Rtp.Local.Port;
        Assert.Equal($"6_1 {port} 2001:db8::10 6\n", reply);
    }

    [Fact]
    public void Query_counts_each_sides_packets_and_an_unknown_call_gets_e50()
    {
        Run("4_1 U c4 198.51.100.10 49170 ft;1");
        Run("4_2 L c4 203.0.113.5 3456 ft;1 tt;1");

        Assert.Equal("4_3 60 0 0 0 0\n", Run("4_3 Q c4 ft;1 tt"));
        Assert.Equal("4_4 ttl=60 npkts_ina=0 npkts_ino=0 nrelayed=0 ndropped=0\n", Run("4_4 Qv c4 ft;1 tt"));
        Assert.Equal("4_5 E50\n", Run("4_5 Q nobody ft;1 tt"));
    }

    [Theory]
    [InlineData("5_1 Z c5 ft", "5_1 E0\n")]
    [InlineData("5_2 U c5 not-an-address 49170 ft;1", "5_2 E")]
    [InlineData("5_3 U c5", "5_3 E1\n")]
    [InlineData("5_4 R c5 ft tt", "5_4 E0\n")]
    [InlineData("5_5 L c5 198.51.100.10 49170 ft;1 tt;1", "5_5 0\n")]
    public void Bad_or_unimplemented_commands_get_rtpproxys_error_answers_and_create_nothing(string command, string expected)
    {
        // An unknown command, a bad address, too few arguments, recording (not implemented): E<n>; a lookup of an
        // unknown call: port 0, which the module takes as "leave the SDP alone".
        Assert.StartsWith(expected, Run(command));
        Assert.Equal(0, _sessions.Totals.CurrentSessions);
    }

    [Fact]
    public void Running_out_of_ports_is_e72_and_leaves_nothing_behind()
    {
        using var sessions = new SessionManager(new RelayOptions { PortMin = 30400, PortMax = 30403 }, new NullTransport(), _clock);
        var handler = new RtpproxyHandler(sessions, TimeSpan.FromSeconds(60));
        Assert.DoesNotContain("E", Encoding.UTF8.GetString(handler.Handle("7_1 U a 198.51.100.10 49170 ft;1"u8, true)), StringComparison.Ordinal);

        Assert.Equal("7_2 E72\n", Encoding.UTF8.GetString(handler.Handle("7_2 U b 198.51.100.10 49172 ft;1"u8, true)));
        Assert.Equal(1, sessions.Totals.CurrentSessions);
    }
}
