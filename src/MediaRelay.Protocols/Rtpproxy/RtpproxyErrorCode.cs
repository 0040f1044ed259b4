namespace MediaRelay.Protocols.Rtpproxy;

/// <summary>
/// The numbers rtpproxy puts after <c>E</c> in an error reply (sippy/rtpproxy <c>src/rtpp_command_ecodes.h</c>).
/// Kamailio does not look at the number: any reply starting with <c>E</c> fails a <c>U</c>/<c>L</c> (the port
/// parses as 0) and marks a <c>VF</c> capability unsupported.
/// </summary>
public enum RtpproxyErrorCode
{
    /// <summary>Unknown command letter (ECODE_CMDUNKN).</summary>
    UnknownCommand = 0,

    /// <summary>Wrong number of arguments for the command (ECODE_PARSE_NARGS).</summary>
    InvalidArgumentCount = 1,

    /// <summary>Modifiers on a command that takes none, such as <c>Vx</c> (ECODE_PARSE_MODS).</summary>
    ModifiersNotAllowed = 2,

    /// <summary>An <c>&amp;&amp;</c> sub-command on a command that does not take one (ECODE_PARSE_SUBC).</summary>
    SubcommandNotSupported = 3,

    /// <summary>Syntax error: nothing but a cookie, or not a command at all (ECODE_PARSE_1).</summary>
    Syntax = 5,

    /// <summary><c>Rs</c> followed by more modifiers (ECODE_PARSE_2).</summary>
    RecordModifierSyntax = 6,

    /// <summary>A <c>R</c> modifier other than <c>s</c> (ECODE_PARSE_3).</summary>
    RecordModifierUnknown = 7,

    /// <summary>A <c>D</c> modifier other than <c>w</c> (ECODE_PARSE_4).</summary>
    DeleteModifierUnknown = 8,

    /// <summary>A <c>G</c> modifier other than <c>v</c> (ECODE_PARSE_5).</summary>
    StatsModifierUnknown = 9,

    /// <summary>The notify tag of a <c>U</c> is not valid URL encoding (ECODE_PARSE_10).</summary>
    NotifyTagEncoding = 10,

    /// <summary><c>e</c> given without bridge mode, or a third <c>e</c>/<c>i</c> (ECODE_PARSE_11).</summary>
    ExternalInterfaceUnavailable = 11,

    /// <summary><c>i</c> given without bridge mode, or a third <c>e</c>/<c>i</c> (ECODE_PARSE_12).</summary>
    InternalInterfaceUnavailable = 12,

    /// <summary><c>z</c> without a packetization time in 1..999 ms (ECODE_PARSE_13).</summary>
    InvalidPacketization = 13,

    /// <summary><c>c</c> without a codec list, or given twice (ECODE_PARSE_14).</summary>
    InvalidCodecList = 14,

    /// <summary><c>l</c> not followed by <c>a.b.c.d</c> or <c>[v6]</c> (ECODE_PARSE_15).</summary>
    LocalAddressSyntax = 15,

    /// <summary><c>r</c> not followed by <c>a.b.c.d</c> or <c>[v6]</c> (ECODE_PARSE_16).</summary>
    RemoteAddressSyntax = 16,

    /// <summary>The play count of <c>P&lt;n&gt;</c> is not a number (ECODE_PARSE_6).</summary>
    PlayCountSyntax = 17,

    /// <summary>An <c>I</c> modifier other than <c>b</c> or <c>l</c> (ECODE_PARSE_7).</summary>
    InfoModifierUnknown = 18,

    /// <summary>A <c>Q</c> modifier other than <c>v</c> (ECODE_PARSE_8).</summary>
    QueryModifierUnknown = 19,

    /// <summary>The <c>G</c> reply does not fit the reply buffer (ECODE_RTOOBIG_1).</summary>
    StatsReplyTooBig = 25,

    /// <summary>The <c>Q</c> reply does not fit the reply buffer (ECODE_RTOOBIG_2).</summary>
    QueryReplyTooBig = 26,

    /// <summary>The <c>l</c> address is not one the proxy can use (ECODE_INVLARG_1).</summary>
    LocalAddressUnusable = 31,

    /// <summary>The <c>r</c> address does not resolve (ECODE_INVLARG_2).</summary>
    RemoteAddressUnresolvable = 32,

    /// <summary>No local address routes to the <c>r</c> address (ECODE_INVLARG_3).</summary>
    NoLocalAddressForRemote = 33,

    /// <summary>The local address found for <c>r</c> is not one the proxy listens on (ECODE_INVLARG_4).</summary>
    LocalAddressNotBound = 34,

    /// <summary>
    /// Unknown <c>U</c>/<c>L</c> modifier in current rtpproxy (older versions ignored it, and used this number for
    /// <c>P … session</c> without saved codecs) (ECODE_INVLARG_5).
    /// </summary>
    UnknownModifier = 35,

    /// <summary>No local address of the stream's address family (ECODE_INVLARG_6).</summary>
    NoLocalAddressForFamily = 36,

    /// <summary>The remote address and port of <c>U</c>/<c>L</c> do not parse as a numeric address (ECODE_INVLARG_7).</summary>
    InvalidRemoteAddress = 37,

    /// <summary>No session with this Call-ID and tags (ECODE_SESUNKN). <c>L</c> answers <c>0</c> instead.</summary>
    SessionNotFound = 50,

    /// <summary>The player could not be created (ECODE_PLRFAIL).</summary>
    PlayFailed = 60,

    /// <summary>Unknown counter name in <c>Q</c> (ECODE_QRYFAIL).</summary>
    QueryFailed = 62,

    /// <summary>Copying or recording could not start (ECODE_CPYFAIL).</summary>
    CopyFailed = 65,

    /// <summary>Unknown statistic name in <c>G</c> (ECODE_STSFAIL).</summary>
    StatsFailed = 68,

    /// <summary>No ports for an existing session's new side (ECODE_LSTFAIL_1).</summary>
    PortAllocationFailed = 71,

    /// <summary>No ports for a new session (ECODE_LSTFAIL_2).</summary>
    NewSessionPortAllocationFailed = 72,

    /// <summary>A notify socket was given but notifications are not enabled (ECODE_NSOFF).</summary>
    NotificationsDisabled = 75,

    /// <summary>Out of memory (ECODE_NOMEM_1; 81 to 89 mark different places).</summary>
    OutOfMemory = 81,

    /// <summary>Out of memory (ECODE_NOMEM_2).</summary>
    OutOfMemory2 = 82,

    /// <summary>Out of memory (ECODE_NOMEM_3).</summary>
    OutOfMemory3 = 83,

    /// <summary>Out of memory (ECODE_NOMEM_4).</summary>
    OutOfMemory4 = 84,

    /// <summary>Out of memory (ECODE_NOMEM_5).</summary>
    OutOfMemory5 = 85,

    /// <summary>Out of memory (ECODE_NOMEM_6).</summary>
    OutOfMemory6 = 86,

    /// <summary>Out of memory (ECODE_NOMEM_7).</summary>
    OutOfMemory7 = 87,

    /// <summary>Out of memory (ECODE_NOMEM_8).</summary>
    OutOfMemory8 = 88,

    /// <summary>Out of memory (ECODE_NOMEM_9, also the stream sockets' "no memory for this command").</summary>
    OutOfMemory9 = 89,

    /// <summary>Overloaded, new session refused (ECODE_OVERLOAD; the code is configurable in rtpproxy).</summary>
    Overloaded = 98,

    /// <summary>Shutting down gracefully, new session refused (ECODE_SLOWSHTDN).</summary>
    ShuttingDown = 99,
}
