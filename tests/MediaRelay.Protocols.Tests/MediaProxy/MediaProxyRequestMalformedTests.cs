using System.Text;
using MediaRelay.Protocols.MediaProxy;

namespace MediaRelay.Protocols.Tests.MediaProxy;

public sealed class MediaProxyRequestMalformedTests
{
    private const string RemoveHead = "remove\r\ncall_id: c\r\nfrom_tag: f\r\n";

    private static string UpdateWith(string extraHeaders) =>
        "update\r\ntype: request\r\ncall_id: c\r\ncseq: 1\r\nfrom_uri: a@x\r\nto_uri: b@y\r\nfrom_tag: f\r\n" +
        "user_agent: ua\r\nsignaling_ip: 192.0.2.1\r\n" + extraHeaders + "\r\n";

    [Theory]
    [InlineData("", "empty request")]
    [InlineData("\r\n\r\n", "empty request")]
    [InlineData("update", "does not end with an empty line")]
    [InlineData("remove\r\ncall_id: c\r\nfrom_tag: f\r\n", "does not end with an empty line")]
    [InlineData("remove\r\ncall_id: c\r\nfrom_tag: f", "does not end with an empty line")]
    [InlineData("offer\r\n\r\n", "unknown command 'offer'")]
    [InlineData("UPDATE\r\n\r\n", "unknown command 'UPDATE'")]
    [InlineData("ping\r\n\r\n", "unknown command 'ping'")]
    [InlineData("update 7\r\n\r\n", "unknown command 'update 7'")]
    [InlineData("update\r\n\r\n", "missing header 'call_id'")]
    [InlineData("remove\r\ncall_id: c\r\n\r\n", "missing header 'from_tag'")]
    [InlineData("remove\r\ncall_id: c\r\nfrom_tag: \r\n\r\n", "missing header 'from_tag'")]
    [InlineData("remove\r\ncall_id: c\r\nfrom_tag f\r\n\r\n", "line 3 is not a 'name: value' header")]
    [InlineData("remove\r\ncall_id: c\r\n: f\r\n\r\n", "line 3 is not a 'name: value' header")]
    [InlineData("remove\r\ncall_id: c\r\nfrom tag: f\r\n\r\n", "line 3 is not a 'name: value' header")]
    [InlineData("remove\r\ncall_id: c\u0000\r\nfrom_tag: f\r\n\r\n", "control character 0x00")]
    [InlineData("remove\r\ncall_id: c\rx\r\nfrom_tag: f\r\n\r\n", "control character 0x0d")]
    [InlineData("remove\r\ncall_id: c\r\nfrom_tag: f\r\n\r\r\n", "control character 0x0d")]
    [InlineData(RemoveHead + "\r\nremove\r\n", "data after the empty line")]
    [InlineData(RemoveHead + "\r\n\r\n", "data after the empty line")]
    public void Malformed_requests_are_rejected_with_a_reason(string text, string expected)
    {
        Assert.False(MediaProxyRequest.TryParse(text, out var request, out var error));
        Assert.Null(request);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("call_id", "missing header 'call_id'")]
    [InlineData("cseq", "missing header 'cseq'")]
    [InlineData("from_uri", "missing header 'from_uri'")]
    [InlineData("to_uri", "missing header 'to_uri'")]
    [InlineData("user_agent", "missing header 'user_agent'")]
    [InlineData("type", "missing header 'type'")]
    [InlineData("from_tag", "missing header 'from_tag'")]
    public void Update_needs_the_headers_the_relay_requires(string header, string expected)
    {
        var lines = UpdateWith("").Split("\r\n").Where(line => !line.StartsWith(header + ":", StringComparison.Ordinal));

        Assert.False(MediaProxyRequest.TryParse(string.Join("\r\n", lines), out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void The_update_skeleton_used_below_is_itself_valid()
    {
        Assert.True(MediaProxyRequest.TryParse(UpdateWith(""), out var request, out var error), error);
        Assert.Empty(request!.Media);
    }

    [Theory]
    [InlineData("type: answer\r\n", "type 'answer' is neither 'request' nor 'reply'")]
    [InlineData("type: Request\r\n", "type 'Request' is neither 'request' nor 'reply'")]
    [InlineData("cseq: 1 INVITE\r\n", "cseq '1 INVITE' is not a number")]
    [InlineData("cseq: -1\r\n", "cseq '-1' is not a number")]
    [InlineData("cseq: 4294967296\r\n", "cseq '4294967296' is not a number")]
    [InlineData("dialog_id: 12:\r\n", "dialog_id '12:' is neither")]
    [InlineData("dialog_id: abc\r\n", "dialog_id 'abc' is neither")]
    [InlineData("signaling_ip: proxy.example.com\r\n", "signaling_ip 'proxy.example.com' is not an IP address")]
    [InlineData("signaling_ip: 192.0.2.1_\r\n", "signaling_ip '192.0.2.1_' is not an IP address")]
    [InlineData("signaling_ip: 192.0.2.1:5060\r\n", "signaling_ip '192.0.2.1:5060' is not an IP address")]
    [InlineData("media: audio:192.0.2.1:70000:sendrecv:ice=no\r\n", "media stream 1: port '70000'")]
    [InlineData("media: audio:192.0.2.1:5000:sendrecv,audio:192.0.2.1:x:sendrecv\r\n", "media stream 2: port 'x'")]
    [InlineData("media: audio:192.0.2.1:5000:sideways\r\n", "media stream 1: unknown direction 'sideways'")]
    [InlineData("media: audio:192.0.2.1:5000\r\n", "media stream 1: expected type:ip:port:direction")]
    [InlineData("media: audio:192.0.2.1:5000:sendrecv:=yes\r\n", "media stream 1: parameter '=yes' has no name")]
    public void A_malformed_value_of_a_known_header_fails_the_request(string header, string expected)
    {
        Assert.False(MediaProxyRequest.TryParse(UpdateWith(header), out var request, out var error));
        Assert.Null(request);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void More_streams_than_the_module_can_send_are_rejected()
    {
        var media = string.Join(",", Enumerable.Range(0, MediaProxyMedia.MaxStreams + 1).Select(i => $"audio:192.0.2.1:{5000 + (2 * i)}:sendrecv"));

        Assert.False(MediaProxyRequest.TryParse(UpdateWith($"media: {media}\r\n"), out _, out var error));
        Assert.Equal("more than 32 media streams", error);
    }

    [Fact]
    public void Exactly_as_many_streams_as_the_module_can_send_are_accepted()
    {
        var media = string.Join(",", Enumerable.Range(0, MediaProxyMedia.MaxStreams).Select(i => $"audio:192.0.2.1:{5000 + (2 * i)}:sendrecv"));

        Assert.True(MediaProxyRequest.TryParse(UpdateWith($"media: {media}\r\n"), out var request, out var error), error);
        Assert.Equal(MediaProxyMedia.MaxStreams, request!.Media.Count);
        Assert.Equal(5062, request.Media[^1].Port);
    }

    [Fact]
    public void Too_many_headers_are_rejected()
    {
        var extra = string.Concat(Enumerable.Range(0, MediaProxyRequest.MaxHeaders).Select(i => $"x{i}: y\r\n"));

        Assert.False(MediaProxyRequest.TryParse(RemoveHead + extra + "\r\n", out _, out var error));
        Assert.Equal("more than 64 headers", error);
    }

    [Fact]
    public void A_request_longer_than_the_module_can_build_is_rejected_before_any_work()
    {
        var text = RemoveHead + "user_agent: " + new string('a', MediaProxyRequest.MaxLength) + "\r\n\r\n";

        Assert.False(MediaProxyRequest.TryParse(text, out _, out var textError));
        Assert.Equal("request longer than 8192 characters", textError);
        Assert.False(MediaProxyRequest.TryParse(Encoding.ASCII.GetBytes(text), out _, out var bytesError));
        Assert.Equal("request longer than 8192 bytes", bytesError);
    }

    [Fact]
    public void A_request_of_exactly_the_limit_is_accepted()
    {
        var head = RemoveHead + "user_agent: ";
        var text = head + new string('a', MediaProxyRequest.MaxLength - head.Length - 4) + "\r\n\r\n";
        Assert.Equal(MediaProxyRequest.MaxLength, text.Length);

        Assert.True(MediaProxyRequest.TryParse(text, out var request, out var error), error);
        Assert.Equal(MediaProxyRequest.MaxLength - head.Length - 4, request!.UserAgent!.Length);
    }

    [Theory]
    [MemberData(nameof(MediaProxySamples.All), MemberType = typeof(MediaProxySamples))]
    public void Every_truncation_is_rejected_without_throwing(string text)
    {
        Assert.True(MediaProxyRequest.TryParse(text, out _, out _));
        var bytes = MediaProxySamples.Bytes(text);

        for (var length = 0; length < text.Length; length++)
        {
            Assert.False(MediaProxyRequest.TryParse(text.AsSpan(0, length), out var request, out var error), $"prefix {length}");
            Assert.Null(request);
            Assert.False(string.IsNullOrEmpty(error));
            Assert.False(MediaProxyRequest.TryParse(bytes.AsSpan(0, length), out _, out _), $"byte prefix {length}");
        }
    }

    [Theory]
    [MemberData(nameof(MediaProxySamples.All), MemberType = typeof(MediaProxySamples))]
    public void Parses_inside_a_buffer_poisoned_with_0xFF(string text)
    {
        var bytes = MediaProxySamples.Bytes(text);
        var buffer = new byte[bytes.Length + 64];
        Array.Fill(buffer, (byte)0xFF);
        bytes.CopyTo(buffer, 32);

        Assert.True(MediaProxyRequest.TryParse(buffer.AsSpan(32, bytes.Length), out var request, out var error), error);
        Assert.True(MediaProxyRequest.TryParse(text, out var expected, out _));
        Assert.Equal(expected!.Headers, request!.Headers);

        // The framing finds the same end even though 0xFF follows, and no truncation inside the buffer parses.
        Assert.Equal(MediaProxyFrameStatus.Complete, MediaProxyFraming.Find(buffer.AsSpan(32), out var length));
        Assert.Equal(bytes.Length, length);
        for (var prefix = 0; prefix < bytes.Length; prefix++)
        {
            Assert.False(MediaProxyRequest.TryParse(buffer.AsSpan(32, prefix), out _, out _));
        }
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        var random = new Random(20240611);
        var alphabet = Encoding.ASCII.GetBytes("update\nremove\r\n: \t_0123456789abcdefx,=.-[]\u007f");
        var buffer = new byte[160];
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(buffer.Length);
            for (var j = 0; j < length; j++)
            {
                buffer[j] = i % 2 == 0 ? alphabet[random.Next(alphabet.Length)] : (byte)random.Next(256);
            }

            var slice = buffer.AsSpan(0, length);
            var text = Encoding.Latin1.GetString(slice);
            if (MediaProxyRequest.TryParse(slice, out var request, out var error))
            {
                accepted++;
                Assert.All(request!.Headers, h => Assert.False(string.IsNullOrWhiteSpace(h.Value)));
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error));
            }

            MediaProxyRequest.TryParse(text, out _, out _);
            MediaProxyFraming.Find(slice, out _);
            MediaProxyFraming.Find(text, out _);
            MediaProxyDialogId.TryParse(text, out _);
            MediaProxySignalingIp.TryParse(text, out _);
            MediaProxyMedia.TryParseHeader(text, out _, out _);
        }

        // The alphabet cannot spell summary or sessions, and chance never builds the headers update and remove need.
        Assert.Equal(0, accepted);
    }

    [Theory]
    [MemberData(nameof(MediaProxySamples.All), MemberType = typeof(MediaProxySamples))]
    public void Mutated_real_requests_never_throw(string text)
    {
        var random = new Random(text.Length);
        var original = MediaProxySamples.Bytes(text);
        var buffer = new byte[original.Length];
        for (var i = 0; i < 2_000; i++)
        {
            original.CopyTo(buffer, 0);
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                buffer[random.Next(buffer.Length)] = (byte)random.Next(256);
            }

            if (MediaProxyRequest.TryParse(buffer, out var request, out var error))
            {
                Assert.NotNull(request);
                Assert.True(Enum.IsDefined(request.Command));
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error));
            }

            var status = MediaProxyFraming.Find(buffer, out var length);
            Assert.True(status == MediaProxyFrameStatus.Complete ? length is > 0 and <= 8192 : length == 0);
        }
    }
}
