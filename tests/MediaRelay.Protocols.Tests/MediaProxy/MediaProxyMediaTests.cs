using System.Net;
using MediaRelay.Protocols.MediaProxy;

namespace MediaRelay.Protocols.Tests.MediaProxy;

public sealed class MediaProxyMediaTests
{
    private static MediaProxyMedia ParseOne(string value)
    {
        Assert.True(MediaProxyMedia.TryParseHeader(value, out var streams, out var error), error);
        return Assert.Single(streams!);
    }

    [Theory]
    [InlineData("audio:2001:db8::1:5000:sendrecv:ice=no", "2001:db8::1", 5000)]
    [InlineData("audio:::1:4000:sendrecv", "::1", 4000)]
    [InlineData("audio:2001:db8:0:0:0:0:0:1:4000:recvonly:ice=yes", "2001:db8::1", 4000)]
    [InlineData("audio:::ffff:192.0.2.1:4000:inactive", "::ffff:192.0.2.1", 4000)]
    [InlineData("audio:fe80:::0:sendonly", "fe80::", 0)]
    public void IPv6_addresses_keep_their_colons(string value, string address, int port)
    {
        var stream = ParseOne(value);

        Assert.Equal(IPAddress.Parse(address), stream.Address);
        Assert.Equal(port, stream.Port);
    }

    [Fact]
    public void A_host_name_in_c_is_kept_as_text_without_an_address()
    {
        var stream = ParseOne("audio:media.example.com:5000:sendrecv:ice=no");

        Assert.Null(stream.Address);
        Assert.Equal("media.example.com", stream.AddressText);
        Assert.Equal(5000, stream.Port);
    }

    [Theory]
    [InlineData("SENDONLY", MediaProxyDirection.SendOnly)]
    [InlineData("RecvOnly", MediaProxyDirection.RecvOnly)]
    [InlineData("inactive", MediaProxyDirection.Inactive)]
    public void Direction_is_matched_case_insensitively_as_the_module_matches_the_sdp(string text, MediaProxyDirection expected)
    {
        Assert.Equal(expected, ParseOne($"audio:192.0.2.1:5000:{text}").Direction);
    }

    [Fact]
    public void Every_parameter_is_kept_and_only_ice_yes_means_ice()
    {
        var stream = ParseOne("image:192.0.2.1:6000:sendrecv:foo=bar:ice=YES");

        Assert.Equal("image", stream.MediaType);
        Assert.False(stream.Ice);
        Assert.Equal("bar", stream.Parameters["foo"]);
        Assert.Equal("YES", stream.Parameters["ice"]);
    }

    [Fact]
    public void Empty_entries_are_skipped_as_AG_Projects_skips_them()
    {
        Assert.True(MediaProxyMedia.TryParseHeader(",audio:192.0.2.1:5000:sendrecv,,video:192.0.2.1:5002:sendrecv,", out var streams, out var error), error);
        Assert.Equal(["audio", "video"], streams!.Select(s => s.MediaType));
        Assert.Equal([5000, 5002], streams!.Select(s => s.Port));
    }

    [Theory]
    [InlineData("audio::5000:sendrecv", "missing address")]
    [InlineData(":192.0.2.1:5000:sendrecv", "bad media type ''")]
    [InlineData("audio:192.0.2.1::sendrecv", "port ''")]
    [InlineData("audio:192.0.2.1:+500:sendrecv", "port '+500'")]
    [InlineData("audio:192.0.2.1:65536:sendrecv", "port '65536'")]
    [InlineData("audio:192.0.2.1:5000:", "unknown direction ''")]
    [InlineData("audio:192.0.2.1:5000:sendrecv:ice", "port 'sendrecv'")]
    [InlineData("ice=yes:192.0.2.1:5000:sendrecv", "bad media type 'ice=yes'")]
    public void Malformed_streams_are_rejected(string value, string expected)
    {
        Assert.False(MediaProxyMedia.TryParseHeader(value, out var streams, out var error));
        Assert.Null(streams);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
