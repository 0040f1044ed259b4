namespace MediaRelay.Protocols.Tests.Rtpproxy;

/// <summary>
/// Commands exactly as Kamailio's rtpproxy module writes them (src/modules/rtpproxy/rtpproxy.c and
/// rtpproxy_stream.c; see docs/protocols/rtpproxy.md). Cookies are "pid_seq"; over a UNIX socket there is none
/// and no trailing newline.
/// </summary>
internal static class RtpproxySamples
{
    public const string CallId = "a84b4c76e66710@pc33.atlanta.example.com";
    public const string CallerTag = "1928301774";
    public const string CalleeTag = "a6c85cf";

    /// <summary>rtpp_test: version, then the three capability dates the module asks for.</summary>
    public const string GetVersion = "4242_0 V";
    public const string FeatureMultipleStreams = "4242_1 VF 20050322";
    public const string FeatureRepacketization = "4242_2 VF 20071116";
    public const string FeatureCodecList = "4242_3 VF 20081102";

    /// <summary>rtpproxy_manage("co") on an INVITE with SDP, node supports 20081102: offer from the caller's source IP.</summary>
    public const string InviteOffer = "4242_4 Uc0,8,101 " + CallId + " 198.51.100.10 49170 " + CallerTag + ";1";

    /// <summary>rtpproxy_manage("co") on the 200 OK with SDP: answer, From-tag then To-tag, both with the medianum.</summary>
    public const string OkAnswer = "4242_5 Lc0,101 " + CallId + " 203.0.113.5 3456 " + CallerTag + ";1 " + CalleeTag + ";1";

    /// <summary>rtpproxy_manage on BYE: delete with bare tags.</summary>
    public const string ByeDelete = "4242_6 D " + CallId + " " + CallerTag + " " + CalleeTag;

    /// <summary>rtpproxy_manage on CANCEL (no To-tag yet).</summary>
    public const string CancelDelete = "4242_7 D " + CallId + " " + CallerTag;

    /// <summary>An IPv6 SDP (the '6' modifier follows the command letter and the script flags).</summary>
    public const string InviteOfferIpv6 = "4242_8 U6c0,8,101 " + CallId + " 2001:db8::10 49170 " + CallerTag + ";1";

    /// <summary>The second m= line of the same INVITE.</summary>
    public const string InviteOfferSecondStream = "4242_9 Uc31 " + CallId + " 198.51.100.10 51372 " + CallerTag + ";2";

    /// <summary>Flags "aiez20" with 20071116 and 20081102 supported: A, I, E in flag order, then Z20, then the codecs.</summary>
    public const string InviteOfferBridged = "4242_10 UAIEZ20c0,101 " + CallId + " 198.51.100.10 49170 " + CallerTag + ";1";

    /// <summary>Flag "x" on an IPv6 stream: "EI" once, then '6'; later IPv6 streams carry "66".</summary>
    public const string InviteOfferAutoBridgeSecondStream = "4242_11 UEI66c0 " + CallId + " 2001:db8::10 49172 " + CallerTag + ";2";

    /// <summary>Flag "1": the first Via branch appended to the Call-ID.</summary>
    public const string InviteOfferViaBranch = "4242_12 U " + CallId + ";z9hG4bK776asdhds 198.51.100.10 49170 " + CallerTag + ";1";

    /// <summary>A re-INVITE with modparam timeout_socket set: the socket is the 7th argument.</summary>
    public const string ReInviteWithTimeoutSocket = "4242_13 U " + CallId + " 198.51.100.10 49170 " + CallerTag + ";1 " + CalleeTag + ";1 unix:/run/kamailio/timeout.sock";

    /// <summary>A late-offer 200 OK: U with the tags swapped.</summary>
    public const string LateOfferOk = "4242_14 U " + CallId + " 203.0.113.5 3456 " + CalleeTag + ";1 " + CallerTag + ";1";

    /// <summary>$rtpstat on a request: only the from-tag carries ";1".</summary>
    public const string RtpStat = "4242_15 Q " + CallId + " " + CallerTag + ";1 " + CalleeTag;

    /// <summary>start_recording().</summary>
    public const string StartRecording = "4242_16 R " + CallId + " " + CallerTag + " " + CalleeTag;

    /// <summary>rtpproxy_stream2uac("welcome", 3).</summary>
    public const string Stream2Uac = "4242_17 P3 " + CallId + " welcome session " + CallerTag + ";1 " + CalleeTag + ";1";

    /// <summary>rtpproxy_stream2uac("moh", -1) without a To-tag: note the trailing space.</summary>
    public const string Stream2UacNoToTag = "4242_18 P-1 " + CallId + " moh session " + CallerTag + ";1 ";

    /// <summary>rtpproxy_stop_stream2uac().</summary>
    public const string StopStream2Uac = "4242_19 S " + CallId + " " + CallerTag + ";1 " + CalleeTag + ";1";

    /// <summary>An ACK carrying the answer: L with the tags swapped.</summary>
    public const string AckAnswer = "4242_20 L " + CallId + " 198.51.100.10 49170 " + CalleeTag + ";1 " + CallerTag + ";1";

    /// <summary>The INVITE offer over a UNIX socket: no cookie, no newline.</summary>
    public const string InviteOfferUnix = "Uc0,8,101 " + CallId + " 198.51.100.10 49170 " + CallerTag + ";1";

    public static TheoryData<string> WithCookie =>
    [
        GetVersion, FeatureMultipleStreams, FeatureRepacketization, FeatureCodecList, InviteOffer, OkAnswer, ByeDelete,
        CancelDelete, InviteOfferIpv6, InviteOfferSecondStream, InviteOfferBridged, InviteOfferAutoBridgeSecondStream,
        InviteOfferViaBranch, ReInviteWithTimeoutSocket, LateOfferOk, RtpStat, StartRecording, Stream2Uac,
        Stream2UacNoToTag, StopStream2Uac, AckAnswer,
    ];
}
