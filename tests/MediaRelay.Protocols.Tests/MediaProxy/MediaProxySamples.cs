using System.Text;

namespace MediaRelay.Protocols.Tests.MediaProxy;

/// <summary>
/// Requests byte for byte as the modules build them. Kamailio src/modules/mediaproxy/mediaproxy.c and OpenSIPS
/// modules/mediaproxy/mediaproxy.c (ICE-aware versions) write, in use_media_proxy():
/// "update\r\ntype: %s\r\ndialog_id: %s\r\ncall_id: %.*s\r\ncseq: %.*s\r\nfrom_uri: %.*s\r\nto_uri: %.*s\r\n
/// from_tag: %.*s\r\nto_tag: %.*s\r\nuser_agent: %.*s\r\nsignaling_ip: %.*s\r\nmedia_relay: %.*s\r\n%s\r\n"
/// where the last %s is "media: a,b\r\n" or empty when the message has no SDP; each stream is
/// "%.*s:%.*s:%.*s:%.*s:%s" of type, ip, port, direction and "ice=yes"/"ice=no". end_media_session() writes
/// "remove\r\ncall_id: %.*s\r\nfrom_tag: %.*s\r\nto_tag: %.*s\r\n\r\n". Older OpenSIPS modules put
/// "media: %s\r\n" before signaling_ip and have no ice parameter.
/// </summary>
internal static class MediaProxySamples
{
    public const string CallId = "a84b4c76e66710@pc33.atlanta.example.com";

    public static string Update(
        string type,
        string dialogId,
        string toTag,
        string signalingIp,
        string? media,
        string cseq = "314159",
        string mediaRelay = "") =>
        "update\r\n" +
        $"type: {type}\r\n" +
        $"dialog_id: {dialogId}\r\n" +
        $"call_id: {CallId}\r\n" +
        $"cseq: {cseq}\r\n" +
        "from_uri: alice@atlanta.example.com\r\n" +
        "to_uri: bob@biloxi.example.com\r\n" +
        "from_tag: 1928301774\r\n" +
        $"to_tag: {toTag}\r\n" +
        "user_agent: Linphone/5.2.0 (belle-sip/5.2.0)\r\n" +
        $"signaling_ip: {signalingIp}\r\n" +
        $"media_relay: {mediaRelay}\r\n" +
        (media is null ? "" : $"media: {media}\r\n") +
        "\r\n";

    /// <summary>Kamailio, engage_media_proxy(), the INVITE: dialog "%d:%d", no To tag yet, two streams.</summary>
    public static readonly string KamailioInvite = Update(
        "request",
        "3265:1908123",
        "",
        "198.51.100.7",
        "audio:198.51.100.7:49170:sendrecv:ice=no,video:198.51.100.7:51372:recvonly:ice=no");

    /// <summary>
    /// Kamailio, the 200 OK: an h_id past 2^31 printed negative by "%d", the callee on IPv6 with ICE, and the
    /// video stream rejected (port 0).
    /// </summary>
    public static readonly string KamailioAnswer = Update(
        "reply",
        "3265:-1294967296",
        "a6c85cf",
        "2001:db8::77",
        "audio:2001:db8::77:40000:sendrecv:ice=yes,video:2001:db8::77:0:sendrecv:ice=yes");

    /// <summary>OpenSIPS: dialog "%llu" of (h_entry &lt;&lt; 32) | h_id, the underscore signaling_ip.</summary>
    public static readonly string OpenSipsInvite = Update(
        "request",
        ((3265UL << 32) | 1908123UL).ToString(System.Globalization.CultureInfo.InvariantCulture),
        "",
        "203.0.113.9_192.0.2.44",
        "audio:203.0.113.9:20000:sendonly:ice=no",
        mediaRelay: "192.0.2.10");

    /// <summary>use_media_proxy() without the dialog module: "dialog_id: " with nothing after it.</summary>
    public static readonly string UseMediaProxy = Update(
        "request",
        "",
        "",
        "198.51.100.7",
        "audio:198.51.100.7:49170:sendrecv:ice=no");

    /// <summary>A 200 OK to INVITE without SDP (late offer): the module sends no media header.</summary>
    public static readonly string AnswerWithoutSdp = Update("reply", "3265:1908123", "a6c85cf", "192.0.2.44", media: null);

    /// <summary>An older OpenSIPS module: media before signaling_ip, no ice parameter, media_relay empty.</summary>
    public static readonly string OldOpenSipsInvite =
        "update\r\n" +
        "type: request\r\n" +
        "dialog_id: 3265:1908123\r\n" +
        $"call_id: {CallId}\r\n" +
        "cseq: 1\r\n" +
        "from_uri: alice@atlanta.example.com\r\n" +
        "to_uri: bob@biloxi.example.com\r\n" +
        "from_tag: 1928301774\r\n" +
        "to_tag: \r\n" +
        "user_agent: unknown agent\r\n" +
        "media: audio:198.51.100.7:49170:sendrecv\r\n" +
        "signaling_ip: 198.51.100.7\r\n" +
        "media_relay: \r\n" +
        "\r\n";

    /// <summary>end_media_session() once the dialog ended.</summary>
    public static readonly string Remove =
        "remove\r\n" +
        $"call_id: {CallId}\r\n" +
        "from_tag: 1928301774\r\n" +
        "to_tag: a6c85cf\r\n" +
        "\r\n";

    public static TheoryData<string> All =>
    [
        KamailioInvite,
        KamailioAnswer,
        OpenSipsInvite,
        UseMediaProxy,
        AnswerWithoutSdp,
        OldOpenSipsInvite,
        Remove,
        "summary\r\n\r\n",
        "sessions\n\n",
    ];

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
