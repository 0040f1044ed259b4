namespace MediaRelay.Protocols.MediaProxy;

/// <summary>
/// The commands of the MediaProxy dispatcher protocol. <see cref="Update"/> and <see cref="Remove"/> come from the
/// Kamailio/OpenSIPS <c>mediaproxy</c> module on the dispatcher's UNIX stream socket; <see cref="Summary"/> and
/// <see cref="Sessions"/> are the queries of AG Projects' management interface.
/// </summary>
public enum MediaProxyCommand
{
    /// <summary><c>update</c>: an SDP offer or answer (or a 200 OK without SDP) for one call.</summary>
    Update,

    /// <summary><c>remove</c>: the dialog ended; free the session.</summary>
    Remove,

    /// <summary><c>summary</c>: one JSON object per relay (address, status, uptime, counts).</summary>
    Summary,

    /// <summary><c>sessions</c>: the statistics of every live session.</summary>
    Sessions,
}
