namespace MediaRelay.Protocols.Rtpproxy;

/// <summary>
/// The <c>a</c> (asymmetric) and <c>s</c> (symmetric) modifiers of <c>U</c>/<c>L</c>; the last one given wins.
/// Symmetric (the default unless rtpproxy runs in bridge mode or with <c>-A</c> forcing) means media is sent back
/// to where the party's media comes from; asymmetric means to the address in the command. Kamailio sends
/// <c>A</c> for its <c>a</c> flag and <c>S</c> for its <c>w</c> flag.
/// </summary>
public enum RtpproxySymmetry
{
    /// <summary>Neither modifier: the proxy's default.</summary>
    Unspecified,

    /// <summary><c>s</c>: learn the address from the party's packets.</summary>
    Symmetric,

    /// <summary><c>a</c>: send to the signalled address, never latch.</summary>
    Asymmetric,
}
