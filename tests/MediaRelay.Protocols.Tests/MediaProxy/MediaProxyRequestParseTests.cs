using System.Net;
using System.Text;
using MediaRelay.Protocols.MediaProxy;

namespace MediaRelay.Protocols.Tests.MediaProxy;

public sealed class MediaProxyRequestParseTests
{
    private static MediaProxyRequest Parse(string text)
    {
        Assert.True(MediaProxyRequest.TryParse(text, out var request, out var error), error);
        Assert.Null(error);
        return request!;
    }

    [Fact]
    public void Kamailio_invite_gives_every_field()
    {
        var request = Parse(MediaProxySamples.KamailioInvite);

        Assert.Equal(MediaProxyCommand.Update, request.Command);
        Assert.Equal(MediaProxyMessageType.Request, request.Type);
        Assert.Equal(MediaProxySamples.CallId, request.CallId);
        Assert.Equal("1928301774", request.FromTag);
        Assert.Null(request.ToTag);
        Assert.Equal("alice@atlanta.example.com", request.FromUri);
        Assert.Equal("bob@biloxi.example.com", request.ToUri);
        Assert.Equal("Linphone/5.2.0 (belle-sip/5.2.0)", request.UserAgent);
        Assert.Null(request.MediaRelay);
        Assert.Equal(314159u, request.CSeq);
        Assert.Equal(MediaProxyDialogId.FromKamailio(3265, 1908123), request.DialogId);
        Assert.Equal(IPAddress.Parse("198.51.100.7"), request.SignalingIp!.Caller);
        Assert.Null(request.SignalingIp.Destination);

        Assert.Equal(2, request.Media.Count);
        var audio = request.Media[0];
        Assert.Equal("audio", audio.MediaType);
        Assert.Equal(IPAddress.Parse("198.51.100.7"), audio.Address);
        Assert.Equal(49170, audio.Port);
        Assert.Equal(MediaProxyDirection.SendRecv, audio.Direction);
        Assert.False(audio.Ice);
        var video = request.Media[1];
        Assert.Equal("video", video.MediaType);
        Assert.Equal(51372, video.Port);
        Assert.Equal(MediaProxyDirection.RecvOnly, video.Direction);
    }

    [Fact]
    public void Empty_headers_are_dropped_as_the_dispatcher_drops_them()
    {
        var request = Parse(MediaProxySamples.KamailioInvite);

        // "to_tag: " and "media_relay: " carry nothing: they are not headers at all.
        Assert.Equal(
            ["type", "dialog_id", "call_id", "cseq", "from_uri", "to_uri", "from_tag", "user_agent", "signaling_ip", "media"],
            request.Headers.Select(h => h.Key));
    }

    [Fact]
    public void Kamailio_answer_with_a_negative_h_id_IPv6_ICE_and_a_rejected_stream()
    {
        var request = Parse(MediaProxySamples.KamailioAnswer);

        Assert.Equal(MediaProxyMessageType.Reply, request.Type);
        Assert.Equal("a6c85cf", request.ToTag);
        Assert.Equal(MediaProxyDialogIdKind.Kamailio, request.DialogId!.Value.Kind);
        Assert.Equal(3265u, request.DialogId.Value.HashEntry);
        Assert.Equal(3_000_000_000u, request.DialogId.Value.HashId);
        Assert.Equal(IPAddress.Parse("2001:db8::77"), request.SignalingIp!.Caller);

        var audio = request.Media[0];
        Assert.Equal(IPAddress.Parse("2001:db8::77"), audio.Address);
        Assert.Equal("2001:db8::77", audio.AddressText);
        Assert.Equal(40000, audio.Port);
        Assert.True(audio.Ice);
        Assert.Equal("yes", audio.Parameters["ice"]);
        Assert.Equal(0, request.Media[1].Port);
    }

    [Fact]
    public void OpenSips_decimal_dialog_id_and_underscore_signaling_ip()
    {
        var request = Parse(MediaProxySamples.OpenSipsInvite);

        Assert.Equal(MediaProxyDialogId.FromOpenSips((3265UL << 32) | 1908123UL), request.DialogId);
        Assert.Equal(3265u, request.DialogId!.Value.HashEntry);
        Assert.Equal(1908123u, request.DialogId.Value.HashId);
        Assert.Equal(IPAddress.Parse("203.0.113.9"), request.SignalingIp!.Caller);
        Assert.Equal(IPAddress.Parse("192.0.2.44"), request.SignalingIp.Destination);
        Assert.Equal("192.0.2.10", request.MediaRelay);
        Assert.Equal(MediaProxyDirection.SendOnly, Assert.Single(request.Media).Direction);
    }

    [Fact]
    public void Use_media_proxy_sends_no_dialog_id()
    {
        var request = Parse(MediaProxySamples.UseMediaProxy);

        Assert.Null(request.DialogId);
        Assert.Null(request.GetHeader("dialog_id"));
        Assert.Single(request.Media);
    }

    [Fact]
    public void Answer_without_sdp_has_no_media()
    {
        var request = Parse(MediaProxySamples.AnswerWithoutSdp);

        Assert.Equal(MediaProxyMessageType.Reply, request.Type);
        Assert.Empty(request.Media);
        Assert.Null(request.GetHeader("media"));
    }

    [Fact]
    public void Older_module_without_ice_parameter()
    {
        var request = Parse(MediaProxySamples.OldOpenSipsInvite);

        var audio = Assert.Single(request.Media);
        Assert.False(audio.Ice);
        Assert.Empty(audio.Parameters);
        Assert.Equal("unknown agent", request.UserAgent);
        Assert.Equal(1u, request.CSeq);
        Assert.Equal(IPAddress.Parse("198.51.100.7"), request.SignalingIp!.Caller);
    }

    [Fact]
    public void Remove_gives_the_session_keys()
    {
        var request = Parse(MediaProxySamples.Remove);

        Assert.Equal(MediaProxyCommand.Remove, request.Command);
        Assert.Equal(MediaProxySamples.CallId, request.CallId);
        Assert.Equal("1928301774", request.FromTag);
        Assert.Equal("a6c85cf", request.ToTag);
        Assert.Null(request.Type);
        Assert.Null(request.CSeq);
        Assert.Empty(request.Media);
    }

    [Fact]
    public void Remove_of_an_unanswered_call_has_no_to_tag()
    {
        var request = Parse($"remove\r\ncall_id: {MediaProxySamples.CallId}\r\nfrom_tag: 1928301774\r\nto_tag: \r\n\r\n");

        Assert.Null(request.ToTag);
        Assert.Equal("1928301774", request.FromTag);
    }

    [Theory]
    [InlineData("summary\r\n\r\n", MediaProxyCommand.Summary)]
    [InlineData("sessions\r\n\r\n", MediaProxyCommand.Sessions)]
    [InlineData("sessions\n\n", MediaProxyCommand.Sessions)]
    public void Management_queries_need_no_headers(string text, MediaProxyCommand command)
    {
        var request = Parse(text);

        Assert.Equal(command, request.Command);
        Assert.Empty(request.Headers);
    }

    [Theory]
    [MemberData(nameof(MediaProxySamples.All), MemberType = typeof(MediaProxySamples))]
    public void Lf_only_lines_parse_the_same(string text)
    {
        var crlf = Parse(text);
        var lf = Parse(text.Replace("\r\n", "\n", StringComparison.Ordinal));

        Assert.Equal(crlf.Command, lf.Command);
        Assert.Equal(crlf.Headers, lf.Headers);
        Assert.Equal(crlf.Media, lf.Media, MediaEquals);
        Assert.Equal(crlf.DialogId, lf.DialogId);
        Assert.Equal(crlf.SignalingIp, lf.SignalingIp);
    }

    [Theory]
    [MemberData(nameof(MediaProxySamples.All), MemberType = typeof(MediaProxySamples))]
    public void Utf8_bytes_parse_the_same_as_text(string text)
    {
        Assert.True(MediaProxyRequest.TryParse(MediaProxySamples.Bytes(text), out var fromBytes, out var error), error);
        var fromText = Parse(text);

        Assert.Equal(fromText.Headers, fromBytes!.Headers);
        Assert.Equal(fromText.Media, fromBytes.Media, MediaEquals);
    }

    [Fact]
    public void Leading_empty_lines_are_skipped()
    {
        var request = Parse("\r\n\n" + MediaProxySamples.Remove);

        Assert.Equal(MediaProxyCommand.Remove, request.Command);
        Assert.Equal("a6c85cf", request.ToTag);
    }

    [Fact]
    public void A_repeated_header_takes_its_last_value()
    {
        var request = Parse($"remove\r\ncall_id: {MediaProxySamples.CallId}\r\nfrom_tag: first\r\nfrom_tag: second\r\n\r\n");

        Assert.Equal("second", request.FromTag);
        Assert.Equal(3, request.Headers.Count);
    }

    [Fact]
    public void Values_are_trimmed_and_a_missing_space_after_the_colon_is_tolerated()
    {
        var request = Parse($"remove\r\ncall_id:{MediaProxySamples.CallId}\r\nfrom_tag: \t1928301774  \r\n\r\n");

        Assert.Equal(MediaProxySamples.CallId, request.CallId);
        Assert.Equal("1928301774", request.FromTag);
    }

    [Fact]
    public void Values_keep_their_inner_colons()
    {
        var request = Parse("remove\r\ncall_id: 1-2@[2001:db8::1]:5060\r\nfrom_tag: x\r\n\r\n");

        Assert.Equal("1-2@[2001:db8::1]:5060", request.CallId);
    }

    [Fact]
    public void Header_names_are_matched_exactly_as_sent()
    {
        Assert.False(MediaProxyRequest.TryParse("remove\r\nCall_ID: abc\r\nfrom_tag: x\r\n\r\n", out var request, out var error));
        Assert.Null(request);
        Assert.Equal("missing header 'call_id'", error);
    }

    [Fact]
    public void Invalid_utf8_in_a_user_agent_does_not_fail_the_call()
    {
        var text = MediaProxySamples.KamailioInvite.Replace("Linphone/5.2.0", "Caf\u00e9Phone", StringComparison.Ordinal);
        var bytes = Encoding.Latin1.GetBytes(text); // 0xE9 alone is not UTF-8

        Assert.True(MediaProxyRequest.TryParse(bytes, out var request, out var error), error);
        Assert.Equal("Caf\uFFFDPhone (belle-sip/5.2.0)", request!.UserAgent);
        Assert.Equal(MediaProxySamples.CallId, request.CallId);
    }

    private static readonly IEqualityComparer<MediaProxyMedia> MediaEquals = EqualityComparer<MediaProxyMedia>.Create(
        (a, b) => a!.MediaType == b!.MediaType && a.AddressText == b.AddressText && Equals(a.Address, b.Address)
            && a.Port == b.Port && a.Direction == b.Direction && a.Ice == b.Ice
            && a.Parameters.OrderBy(p => p.Key).SequenceEqual(b.Parameters.OrderBy(p => p.Key)),
        m => m.Port);
}
