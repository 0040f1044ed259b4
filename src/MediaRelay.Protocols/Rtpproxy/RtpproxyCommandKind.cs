namespace MediaRelay.Protocols.Rtpproxy;

/// <summary>
/// The command letter of an rtpproxy control command (case-insensitive on the wire). The first eight are the ones
/// the relay implements; the rest are recognised so the adapter can answer them deliberately
/// (see <see cref="RtpproxyCommand.IsSupported"/>).
/// </summary>
public enum RtpproxyCommandKind
{
    /// <summary><c>V</c>: base protocol version; the answer is <c>20040107</c>.</summary>
    Version,

    /// <summary><c>VF date</c>: is the capability with this date stamp supported; the answer is <c>1</c> or <c>0</c>.</summary>
    VersionFeature,

    /// <summary><c>U</c>: create or update a session (the offer side).</summary>
    Update,

    /// <summary><c>L</c>: complete an existing session (the answer side).</summary>
    Lookup,

    /// <summary><c>D</c>: delete a session (or every stream of a call when the tags carry no medianum).</summary>
    Delete,

    /// <summary><c>Q</c>: per-session counters.</summary>
    Query,

    /// <summary><c>I</c>: global information text.</summary>
    Info,

    /// <summary><c>G</c>: global statistics by name.</summary>
    GetStats,

    /// <summary><c>X</c>: delete all sessions. Not implemented by the relay.</summary>
    DeleteAll,

    /// <summary><c>P</c>: play a prompt into a stream (Kamailio's <c>rtpproxy_stream2uac/uas</c>). Not implemented.</summary>
    Play,

    /// <summary><c>S</c>: stop playing (Kamailio's <c>rtpproxy_stop_stream2uac/uas</c>). Not implemented.</summary>
    NoPlay,

    /// <summary><c>R</c>: start recording (Kamailio's <c>start_recording</c>). Not implemented.</summary>
    Record,

    /// <summary><c>C</c>: copy a stream to a named target. Not implemented.</summary>
    Copy,

    /// <summary><c>N</c>: stop recording. Not implemented.</summary>
    NoRecord,
}
