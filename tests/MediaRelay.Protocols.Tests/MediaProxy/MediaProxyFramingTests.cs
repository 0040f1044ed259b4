using System.Text;
using MediaRelay.Protocols.MediaProxy;

namespace MediaRelay.Protocols.Tests.MediaProxy;

public sealed class MediaProxyFramingTests
{
    [Theory]
    [MemberData(nameof(MediaProxySamples.All), MemberType = typeof(MediaProxySamples))]
    public void A_whole_request_is_one_frame_and_every_prefix_is_incomplete(string text)
    {
        var bytes = MediaProxySamples.Bytes(text);

        Assert.Equal(MediaProxyFrameStatus.Complete, MediaProxyFraming.Find(bytes, out var length));
        Assert.Equal(bytes.Length, length);
        Assert.Equal(MediaProxyFrameStatus.Complete, MediaProxyFraming.Find(text, out var charLength));
        Assert.Equal(text.Length, charLength);

        for (var prefix = 0; prefix < bytes.Length; prefix++)
        {
            Assert.Equal(MediaProxyFrameStatus.Incomplete, MediaProxyFraming.Find(bytes.AsSpan(0, prefix), out var none));
            Assert.Equal(0, none);
        }
    }

    [Fact]
    public void Back_to_back_requests_split_where_the_first_ends()
    {
        var first = MediaProxySamples.KamailioInvite;
        var bytes = MediaProxySamples.Bytes(first + MediaProxySamples.Remove);

        Assert.Equal(MediaProxyFrameStatus.Complete, MediaProxyFraming.Find(bytes, out var length));
        Assert.Equal(first.Length, length);
        Assert.True(MediaProxyRequest.TryParse(bytes.AsSpan(0, length), out var request, out _));
        Assert.Equal(MediaProxyCommand.Update, request!.Command);

        Assert.Equal(MediaProxyFrameStatus.Complete, MediaProxyFraming.Find(bytes.AsSpan(length), out var second));
        Assert.True(MediaProxyRequest.TryParse(bytes.AsSpan(length, second), out var next, out _));
        Assert.Equal(MediaProxyCommand.Remove, next!.Command);
    }

    [Theory]
    [InlineData("remove\ncall_id: c\nfrom_tag: f\n\nX", 31)]
    [InlineData("remove\r\ncall_id: c\nfrom_tag: f\r\n\nX", 33)]
    [InlineData("remove\ncall_id: c\nfrom_tag: f\n\r\nX", 32)]
    [InlineData("\r\n\r\nsummary\r\n\r\nX", 15)]
    public void Lf_and_crlf_end_lines_alike_and_leading_empty_lines_join_the_frame(string text, int expected)
    {
        Assert.Equal(MediaProxyFrameStatus.Complete, MediaProxyFraming.Find(Encoding.ASCII.GetBytes(text), out var length));
        Assert.Equal(expected, length);
        Assert.True(MediaProxyRequest.TryParse(text.AsSpan(0, length), out _, out var error), error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\r\n")]
    [InlineData("\n\n\r\n")]
    [InlineData("update\r\n")]
    [InlineData("update\r\n\r")]
    public void Blank_lines_alone_and_unfinished_requests_are_incomplete(string text)
    {
        Assert.Equal(MediaProxyFrameStatus.Incomplete, MediaProxyFraming.Find(Encoding.ASCII.GetBytes(text), out var length));
        Assert.Equal(0, length);
    }

    [Fact]
    public void A_buffer_of_the_limit_without_an_end_is_too_large()
    {
        var bytes = Encoding.ASCII.GetBytes("remove\r\nuser_agent: " + new string('a', MediaProxyRequest.MaxLength));

        Assert.Equal(MediaProxyFrameStatus.Incomplete, MediaProxyFraming.Find(bytes.AsSpan(0, MediaProxyRequest.MaxLength - 1), out _));
        Assert.Equal(MediaProxyFrameStatus.TooLarge, MediaProxyFraming.Find(bytes.AsSpan(0, MediaProxyRequest.MaxLength), out var length));
        Assert.Equal(0, length);
        Assert.Equal(MediaProxyFrameStatus.TooLarge, MediaProxyFraming.Find(bytes, out _));
    }

    [Fact]
    public void An_end_past_the_limit_is_not_looked_for()
    {
        var head = "remove\r\ncall_id: c\r\nfrom_tag: f\r\nuser_agent: ";
        var text = head + new string('a', MediaProxyRequest.MaxLength - head.Length - 3) + "\r\n\r\n";
        Assert.Equal(MediaProxyRequest.MaxLength + 1, text.Length);

        Assert.Equal(MediaProxyFrameStatus.TooLarge, MediaProxyFraming.Find(Encoding.ASCII.GetBytes(text), out _));
        Assert.Equal(MediaProxyFrameStatus.Complete, MediaProxyFraming.Find(Encoding.ASCII.GetBytes(text[1..]), out var length));
        Assert.Equal(MediaProxyRequest.MaxLength, length);
    }
}
