using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;

namespace MediaRelay.Core.Model;

/// <summary>
/// Owns every session: allocates ports, creates, updates, removes and expires sessions.
/// Threading: every public method may be called from any thread; control calls are serialised by one lock that
/// the packet path never takes.
/// </summary>
public sealed partial class SessionManager : IDisposable
{
    /// <summary>Raised when a session ends by itself (expiry), with its statistics and reason. Not raised by Remove.</summary>
#pragma warning disable CS0067 // raised once the implementation lands
    public event Action<SessionStatistics>? SessionEnded;
#pragma warning restore CS0067

    /// <summary>
    /// Applies an offer: <paramref name="fromTag"/> names the offerer, whose side of each stream the media sets.
    /// Returns the relay address and ports that face the other party (written into the SDP that goes to it).
    /// </summary>
    public SessionError Offer(string callId, string fromTag, string? toTag, IReadOnlyList<MediaDescription> media,
        IPAddress? signallingSource, out IReadOnlyList<RelayedMedia> relayed)
        => throw new NotImplementedException();

    /// <summary>
    /// Applies an answer: <paramref name="toTag"/> names the answerer, whose side of each stream the media sets.
    /// Returns the relay ports that face the offerer.
    /// </summary>
    public SessionError Answer(string callId, string fromTag, string toTag, IReadOnlyList<MediaDescription> media,
        IPAddress? signallingSource, out IReadOnlyList<RelayedMedia> relayed)
        => throw new NotImplementedException();

    /// <summary>Removes a session now, frees its ports and returns its final statistics; null when unknown.</summary>
    public SessionStatistics? Remove(string callId, EndReason reason = EndReason.Closed)
        => throw new NotImplementedException();

    /// <summary>The statistics of a running session; null when unknown.</summary>
    public SessionStatistics? Query(string callId) => throw new NotImplementedException();

    /// <summary>The Call-IDs of every running session.</summary>
    public IReadOnlyList<string> ListCallIds() => throw new NotImplementedException();

    /// <summary>Relay-wide figures.</summary>
    public RelayTotals Totals => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
