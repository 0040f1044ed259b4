namespace MediaRelay.Protocols.MediaProxy;

/// <summary>What <see cref="MediaProxyFraming"/> found at the start of a stream buffer.</summary>
public enum MediaProxyFrameStatus
{
    /// <summary>No complete request yet; read more (the buffer holds less than <see cref="MediaProxyRequest.MaxLength"/>).</summary>
    Incomplete,

    /// <summary>A complete request of the returned length starts the buffer.</summary>
    Complete,

    /// <summary>More than <see cref="MediaProxyRequest.MaxLength"/> bytes without an end: reply <c>error</c> and close.</summary>
    TooLarge,
}
