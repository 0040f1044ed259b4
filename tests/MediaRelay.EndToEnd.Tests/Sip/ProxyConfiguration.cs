using MediaRelay.EndToEnd.Tests.Relays;

namespace MediaRelay.EndToEnd.Tests.Sip;

/// <summary>How Kamailio's rtpengine module drives the relay.</summary>
public enum RelayControl
{
    /// <summary>rtpengine_manage() everywhere: offer on INVITE, answer on the 200 OK, delete on BYE.</summary>
    Manage,

    /// <summary>Explicit rtpengine_offer() / rtpengine_answer() / rtpengine_delete().</summary>
    OfferAnswer,
}

/// <summary>The Kamailio module that drives the relay, and so the control protocol it speaks.</summary>
public enum ProxyModule
{
    /// <summary>rtpengine: the ng protocol over UDP.</summary>
    Rtpengine,

    /// <summary>mediaproxy with the dialog module: MediaProxy's dispatcher protocol on a UNIX stream socket.</summary>
    MediaProxy,

    /// <summary>rtpproxy: rtpproxy's protocol over UDP.</summary>
    Rtpproxy,
}

/// <summary>
/// One Kamailio configuration of the end-to-end matrix: the module, the functions used, the flags string they get,
/// and whether the caller's offer carries ICE attributes for the relay to act on.
/// </summary>
public sealed record ProxyConfiguration(RelayControl Control, string Flags, bool OfferIce)
{
    public static ProxyConfiguration ManageReplaceOrigin { get; } =
        new(RelayControl.Manage, "replace-origin replace-session-connection", OfferIce: false);

    public static ProxyConfiguration OfferAnswerReplaceOrigin { get; } =
        new(RelayControl.OfferAnswer, "replace-origin replace-session-connection", OfferIce: false);

    /// <summary>The caller on the relay's interface "internal", the callee on "external" (issue 14).</summary>
    public static ProxyConfiguration ManageInternalToExternal { get; } =
        new(RelayControl.Manage, "direction=internal direction=external replace-origin replace-session-connection", OfferIce: false);

    public static ProxyConfiguration ManageIceRemove { get; } =
        new(RelayControl.Manage, "ICE=remove RTP/AVP", OfferIce: true);

    /// <summary>engage_media_proxy() and dlg_manage() on the initial INVITE; the dialog module does the rest.</summary>
    public static ProxyConfiguration MediaProxyEngage { get; } =
        new(RelayControl.Manage, string.Empty, OfferIce: false) { Module = ProxyModule.MediaProxy };

    /// <summary>rtpproxy_manage("co") on the INVITE, its replies with SDP, and BYE/CANCEL/failure.</summary>
    public static ProxyConfiguration RtpproxyManage { get; } =
        new(RelayControl.Manage, "co", OfferIce: false) { Module = ProxyModule.Rtpproxy };

    public ProxyModule Module { get; init; } = ProxyModule.Rtpengine;

    /// <summary>The callee must never see ICE attributes when the relay was told to remove them.</summary>
    public bool CalleeMustNotSeeIce => Flags.Contains("ICE=remove", StringComparison.Ordinal);

    /// <summary>
    /// What MediaRelay needs on its command line to answer this module where Kamailio looks for it (ng is always on).
    /// MediaProxy's calls are also ended through the jsonrpcs socket of the Kamailio run in
    /// <paramref name="proxyDirectory"/> when their media times out.
    /// </summary>
    internal string[] RelayArguments(RelayEndpoints endpoints, string proxyDirectory) => Module switch
    {
        ProxyModule.MediaProxy =>
        [
            "--mediaproxy-socket", endpoints.MediaProxySocket ?? throw new InvalidOperationException("the relay endpoints have no MediaProxy socket"),
            "--mediaproxy-dialog-end", "kamailio:" + KamailioProxy.RpcSocket(proxyDirectory),
        ],
        ProxyModule.Rtpproxy => ["--rtpproxy-listen", "udp:" + endpoints.Rtpproxy],
        _ => [],
    };

    public override string ToString() =>
        Module switch
        {
            ProxyModule.MediaProxy => "mediaproxy engage_media_proxy()",
            ProxyModule.Rtpproxy => $"rtpproxy rtpproxy_manage(\"{Flags}\")",
            _ => $"{Control} \"{Flags}\"{(OfferIce ? " (offer with ICE)" : string.Empty)}",
        };
}
