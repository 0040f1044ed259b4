namespace MediaRelay.Protocols.MediaProxy;

/// <summary>The SDP direction attribute of a stream, as the module found it (stream level, else session level, else sendrecv).</summary>
public enum MediaProxyDirection
{
    /// <summary><c>sendrecv</c>, also the module's default when the SDP has none.</summary>
    SendRecv,

    /// <summary><c>sendonly</c>: AG Projects' relay treats the sender as on hold.</summary>
    SendOnly,

    /// <summary><c>recvonly</c>.</summary>
    RecvOnly,

    /// <summary><c>inactive</c>: AG Projects' relay treats the party as on hold.</summary>
    Inactive,
}
