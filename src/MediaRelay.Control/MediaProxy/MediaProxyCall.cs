using MediaRelay.Protocols.MediaProxy;

namespace MediaRelay.Control.MediaProxy;

/// <summary>
/// What MediaProxy's protocol tells about a call beyond its media, kept while the call runs: the dialog to end in
/// the proxy when the media times out, the URIs and user agents for the statistics, and whose offer waits for an
/// answer. Threading: guarded by the handler's lock.
/// </summary>
internal sealed class MediaProxyCall(string fromUri, string toUri)
{
    public MediaProxyDialogId? DialogId { get; set; }

    public string FromUri { get; set; } = fromUri;

    public string ToUri { get; set; } = toUri;

    public string? CallerUserAgent { get; set; }

    public string? CalleeUserAgent { get; set; }

    /// <summary>The tag of the party whose SDP offer waits for the other party's answer; null when none waits.</summary>
    public string? PendingOfferTag { get; set; }
}
