namespace MediaRelay.EndToEnd.Tests.Sip;

/// <summary>How Kamailio's rtpengine module drives the relay.</summary>
public enum RelayControl
{
    /// <summary>rtpengine_manage() everywhere: offer on INVITE, answer on the 200 OK, delete on BYE.</summary>
    Manage,

    /// <summary>Explicit rtpengine_offer() / rtpengine_answer() / rtpengine_delete().</summary>
    OfferAnswer,
}

/// <summary>
/// One Kamailio configuration of the end-to-end matrix: the rtpengine functions used, the flags string they get,
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

    /// <summary>The callee must never see ICE attributes when the relay was told to remove them.</summary>
    public bool CalleeMustNotSeeIce => Flags.Contains("ICE=remove", StringComparison.Ordinal);

    public override string ToString() => $"{Control} \"{Flags}\"{(OfferIce ? " (offer with ICE)" : string.Empty)}";
}
