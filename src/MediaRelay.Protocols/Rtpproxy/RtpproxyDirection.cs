namespace MediaRelay.Protocols.Rtpproxy;

/// <summary>
/// The <c>i</c> and <c>e</c> modifiers of <c>U</c>/<c>L</c> for a proxy in bridge mode (two interfaces): internal
/// (first interface) or external (second). At most two are given; Kamailio's flags <c>ie</c>, <c>ei</c>,
/// <c>ii</c>, <c>ee</c> and <c>x</c> (IPv4/IPv6 bridging) produce them.
/// </summary>
public enum RtpproxyDirection
{
    /// <summary><c>i</c>: the first (internal) interface.</summary>
    Internal,

    /// <summary><c>e</c>: the second (external) interface.</summary>
    External,
}
