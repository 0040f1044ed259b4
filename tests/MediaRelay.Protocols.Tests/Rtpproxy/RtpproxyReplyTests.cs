using System.Net;
using MediaRelay.Protocols.Rtpproxy;

namespace MediaRelay.Protocols.Tests.Rtpproxy;

public class RtpproxyReplyTests
{
    [Fact]
    public void VersionAndFeatureReplies()
    {
        Assert.Equal("4242_0 20040107\n", RtpproxyReply.Version("4242_0"));
        Assert.Equal("20040107\n", RtpproxyReply.Version(null));
        Assert.Equal("4242_1 1\n", RtpproxyReply.Feature("4242_1", true));
        Assert.Equal("4242_2 0\n", RtpproxyReply.Feature("4242_2", false));
        Assert.Equal("1\n", RtpproxyReply.Feature(null, true));
    }

    [Fact]
    public void OkAndNumbers()
    {
        Assert.Equal("4242_6 0\n", RtpproxyReply.Ok("4242_6"));
        Assert.Equal("0\n", RtpproxyReply.Ok(null));
        Assert.Equal("c -7\n", RtpproxyReply.Number("c", -7));
    }

    [Theory]
    [InlineData(RtpproxyErrorCode.UnknownCommand, "k E0\n")]
    [InlineData(RtpproxyErrorCode.InvalidArgumentCount, "k E1\n")]
    [InlineData(RtpproxyErrorCode.Syntax, "k E5\n")]
    [InlineData(RtpproxyErrorCode.PlayCountSyntax, "k E17\n")]
    [InlineData(RtpproxyErrorCode.InvalidRemoteAddress, "k E37\n")]
    [InlineData(RtpproxyErrorCode.SessionNotFound, "k E50\n")]
    [InlineData(RtpproxyErrorCode.NewSessionPortAllocationFailed, "k E72\n")]
    [InlineData(RtpproxyErrorCode.OutOfMemory9, "k E89\n")]
    [InlineData(RtpproxyErrorCode.ShuttingDown, "k E99\n")]
    public void ErrorReplies(RtpproxyErrorCode code, string expected)
    {
        Assert.Equal(expected, RtpproxyReply.Error("k", code));
        Assert.Equal(expected[2..], RtpproxyReply.Error(null, code));
    }

    [Fact]
    public void ErrorCodesAreRtpproxysNumbers()
    {
        Assert.Equal(
            new[] { 0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 25, 26, 31, 32, 33, 34, 35, 36, 37, 50, 60, 62, 65, 68, 71, 72, 75, 81, 82, 83, 84, 85, 86, 87, 88, 89, 98, 99 },
            Enum.GetValues<RtpproxyErrorCode>().Select(c => (int)c).Order());
    }

    [Fact]
    public void ErrorReplyEchoesTheCookieOfARefusedCommand()
    {
        Assert.False(RtpproxyCommand.TryParse("4242_9 U cid 1.2.3.4 99999 ft;1", true, out _, out var error));

        Assert.Equal("4242_9 E37\n", RtpproxyReply.Error(error));
    }

    [Fact]
    public void PortReplies()
    {
        Assert.Equal("4242_4 35000 192.0.2.1\n", RtpproxyReply.Port("4242_4", 35000, IPAddress.Parse("192.0.2.1")));
        Assert.Equal("4242_8 35002 2001:db8::1 6\n", RtpproxyReply.Port("4242_8", 35002, IPAddress.Parse("2001:db8::1")));
        Assert.Equal("35000\n", RtpproxyReply.Port(null, 35000, null));
        Assert.Equal("k 35000\n", RtpproxyReply.Port("k", 35000, IPAddress.Any));
        Assert.Equal("k 35000\n", RtpproxyReply.Port("k", 35000, IPAddress.IPv6Any));
        Assert.Equal("35000 192.0.2.1\n", RtpproxyReply.Port(null, 35000, IPAddress.Parse("192.0.2.1")));
        Assert.Equal("k 0\n", RtpproxyReply.Port("k", 0, null));
    }

    [Fact]
    public void Ipv6PortReplyHasNoZoneAndNoBrackets()
    {
        Assert.Equal("k 40000 fe80::1 6\n", RtpproxyReply.Port("k", 40000, IPAddress.Parse("fe80::1%3")));
        Assert.Equal("k 40000 ::ffff:192.0.2.1 6\n", RtpproxyReply.Port("k", 40000, IPAddress.Parse("::ffff:192.0.2.1")));
    }

    [Fact]
    public void AdvertisedAddressPortReplies()
    {
        Assert.Equal("k 35000 media.example.com\n", RtpproxyReply.Port("k", 35000, "media.example.com", false));
        Assert.Equal("k 35000 2001:db8::9 6\n", RtpproxyReply.Port("k", 35000, "2001:db8::9", true));
    }

    [Fact]
    public void PortOutOfRangeIsAProgrammingError()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RtpproxyReply.Port("k", 65536, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => RtpproxyReply.Port("k", -1, null));
    }

    [Fact]
    public void LookupOfUnknownSessionAnswersZero()
    {
        Assert.Equal("4242_5 0\n", RtpproxyReply.Port("4242_5", 0, null));
        Assert.Equal(RtpproxyReply.Ok("4242_5"), RtpproxyReply.Port("4242_5", 0, null));
    }

    [Fact]
    public void QueryReplies()
    {
        Assert.Equal("4242_15 58 1200 1180 2380 3\n", RtpproxyReply.Query("4242_15", 58, 1200, 1180, 2380, 3, verbose: false));
        Assert.Equal("k ttl=60 npkts_ina=1 npkts_ino=2 nrelayed=3 ndropped=0\n", RtpproxyReply.Query("k", 60, 1, 2, 3, 0, verbose: true));
        Assert.Equal("-1 0 0 0 0\n", RtpproxyReply.Query(null, -1, 0, 0, 0, 0, verbose: false));
        Assert.Equal("k 60 18446744073709551615 0 0 0\n", RtpproxyReply.Query("k", 60, ulong.MaxValue, 0, 0, 0, verbose: false));
    }

    [Fact]
    public void NamedValueReplies()
    {
        KeyValuePair<string, string>[] values = [new("nsess_created", "12"), new("npkts_rcvd", "3400")];

        Assert.Equal("k 12 3400\n", RtpproxyReply.Values("k", values, verbose: false));
        Assert.Equal("k nsess_created=12 npkts_rcvd=3400\n", RtpproxyReply.Values("k", values, verbose: true));
        Assert.Equal("\n", RtpproxyReply.Values(null, [], verbose: true));
    }

    [Fact]
    public void InfoReplies()
    {
        Assert.Equal(
            "k sessions created: 10\nactive sessions: 2\nactive streams: 4\npackets received: 1000\npackets transmitted: 990\n",
            RtpproxyReply.Info("k", 10, 2, 4, 1000, 990, null));
        Assert.Equal(
            "sessions created: 0\nactive sessions: 0\nactive streams: 0\npackets received: 0\npackets transmitted: 0\naverage load: 0.125000\n",
            RtpproxyReply.Info(null, 0, 0, 0, 0, 0, 0.125));
    }

    [Fact]
    public void RepliesToKamailiosCommandsEchoTheirCookies()
    {
        Assert.True(RtpproxyCommand.TryParse(RtpproxySamples.InviteOffer, true, out var offer, out _));
        Assert.Equal("4242_4 35000 192.0.2.1\n", RtpproxyReply.Port(offer!.Cookie, 35000, IPAddress.Parse("192.0.2.1")));

        Assert.True(RtpproxyCommand.TryParse(RtpproxySamples.GetVersion, true, out var version, out _));
        Assert.Equal("4242_0 20040107\n", RtpproxyReply.Version(version!.Cookie));

        Assert.True(RtpproxyCommand.TryParse(RtpproxySamples.InviteOfferUnix, false, out var unix, out _));
        Assert.Equal("35000 192.0.2.1\n", RtpproxyReply.Port(unix!.Cookie, 35000, IPAddress.Parse("192.0.2.1")));
    }

    [Fact]
    public void KamailiosLongestCookieLeavesRoomForAnIpv6PortReply()
    {
        // "%d_%u" with the largest pid and sequence Kamailio can print, then the longest IPv6 reply.
        var cookie = $"{int.MinValue}_{uint.MaxValue}";
        var reply = RtpproxyReply.Port(cookie, 65535, IPAddress.Parse("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"));

        Assert.True(reply.Length <= RtpproxyReply.MaxLength, reply);
    }

    [Fact]
    public void FeatureList()
    {
        Assert.True(RtpproxyFeatures.IsKnown("20040107"));
        Assert.True(RtpproxyFeatures.IsKnown(RtpproxyFeatures.MultipleStreams));
        Assert.True(RtpproxyFeatures.IsKnown(RtpproxyFeatures.Repacketization));
        Assert.True(RtpproxyFeatures.IsKnown(RtpproxyFeatures.CodecList));
        Assert.False(RtpproxyFeatures.IsKnown("20990101"));
        Assert.False(RtpproxyFeatures.IsKnown(null));
        Assert.Equal(20, RtpproxyFeatures.Known.Count);
        Assert.Equal(RtpproxyFeatures.Known.Select(p => p.Key).Order(StringComparer.Ordinal), RtpproxyFeatures.Known.Select(p => p.Key));
    }
}
