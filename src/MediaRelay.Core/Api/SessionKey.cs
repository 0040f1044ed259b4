namespace MediaRelay.Core.Api;

/// <summary>Who sent a media description. The offer sets the offerer's side of each stream; the answer the answerer's.</summary>
public enum PartyRole
{
    /// <summary>The party whose tag was first seen as offerer: the caller of the first INVITE.</summary>
    Caller = 0,
    /// <summary>The other party.</summary>
    Callee = 1,
}

/// <summary>Why an update was refused. Each value maps to one exact error string of the ng protocol.</summary>
public enum SessionError
{
    None,
    /// <summary>"Ran out of ports": the port range has no free pair left.</summary>
    OutOfPorts,
    /// <summary>"Parallel session limit reached": the configured maximum of sessions is reached.</summary>
    SessionLimit,
    /// <summary>"Unknown call-id": an answer or query for a call the relay does not know.</summary>
    UnknownCall,
    /// <summary>An answer whose tags do not match the offer.</summary>
    TagMismatch,
    /// <summary>"Too many media streams": more m-lines than <see cref="RelayOptions.MaxStreams"/>.</summary>
    TooManyStreams,
    /// <summary>An interface name the relay does not have (<see cref="ISessionApi.InterfaceNames"/> lists those it has).</summary>
    UnknownInterface,
    /// <summary>The relay is draining (SIGHUP): running calls go on, new ones are refused.</summary>
    Draining,
}
