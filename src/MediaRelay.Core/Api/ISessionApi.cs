using System.Net;
using MediaRelay.Core.Statistics;

namespace MediaRelay.Core.Api;

/// <summary>
/// The one session API that every control protocol (ng, MediaProxy's, rtpproxy's) calls; the session manager
/// implements it. A call is named by its Call-ID; its two parties by their dialog tags. Media arrives already
/// reduced to <see cref="MediaDescription"/>s: the protocols parse their own wire formats and SDP.
/// Threading: every member may be called from any thread. Nothing changes when an error is returned.
/// </summary>
public interface ISessionApi
{
    /// <summary>
    /// Applies a whole offer: <paramref name="fromTag"/> names the offerer, whose side of each stream
    /// <paramref name="media"/> sets (index = m-line position). Streams the offer no longer lists are closed.
    /// Returns, per m-line, the relay address and ports that face the other party. A pending delayed removal of
    /// the call is cancelled (a call signalled again stays). <paramref name="placement"/> chooses the interfaces
    /// (and the answerer side's address family) of new streams.
    /// </summary>
    SessionError Offer(string callId, string fromTag, string? toTag, IReadOnlyList<MediaDescription> media,
        IPAddress? signallingSource, out IReadOnlyList<RelayedMedia> relayed, MediaPlacement? placement = null);

    /// <summary>Applies a whole answer: <paramref name="toTag"/> names the answerer. Returns the ports facing the offerer.</summary>
    SessionError Answer(string callId, string fromTag, string toTag, IReadOnlyList<MediaDescription> media,
        IPAddress? signallingSource, out IReadOnlyList<RelayedMedia> relayed);

    /// <summary>
    /// Offers one stream (m-line <paramref name="index"/>, from 0) and leaves the call's other streams as they are:
    /// rtpproxy's protocol signals one m-line per command. Creates the call when it is new.
    /// </summary>
    SessionError OfferStream(string callId, string fromTag, string? toTag, int index, MediaDescription media,
        IPAddress? signallingSource, out RelayedMedia relayed, MediaPlacement? placement = null);

    /// <summary>Answers one stream that an offer created; <see cref="SessionError.UnknownCall"/> when the call or that stream is unknown.</summary>
    SessionError AnswerStream(string callId, string fromTag, string toTag, int index, MediaDescription media,
        IPAddress? signallingSource, out RelayedMedia relayed);

    /// <summary>The statistics of a running call, its kernel counters read now; null when unknown.</summary>
    SessionStatistics? Query(string callId);

    /// <summary>Ends a call now, frees its ports and returns its final statistics; null when unknown.</summary>
    SessionStatistics? Remove(string callId, EndReason reason = EndReason.Closed);

    /// <summary>
    /// Ends a call after <paramref name="delay"/> (rtpengine's delete delay: late media and late queries still
    /// work meanwhile); a later call replaces the delay, and a zero or negative delay removes it now.
    /// Returns the statistics as they are now; null when the call is unknown.
    /// </summary>
    SessionStatistics? RemoveLater(string callId, TimeSpan delay);

    /// <summary>
    /// Attaches the SIP From and To URIs to a running call, for accounting: a protocol adapter that sees them (ng's
    /// "from-uri"/"to-uri", a proxy module's dialog info) calls this after the offer. A null keeps what was set.
    /// They appear as <see cref="SessionStatistics.FromUri"/> and <see cref="SessionStatistics.ToUri"/> in every
    /// statistics of the call from then on, the final ones included. False when the call is unknown.
    /// </summary>
    bool SetParties(string callId, string? fromUri, string? toUri);

    /// <summary>True while a call's delayed removal runs.</summary>
    bool IsRemovalPending(string callId);

    /// <summary>The Call-IDs of every running call, oldest first.</summary>
    IReadOnlyList<string> ListCallIds();

    /// <summary>The statistics of every running call, oldest first (kernel counters at most a second old).</summary>
    IReadOnlyList<SessionStatistics> Snapshot();

    /// <summary>
    /// The running calls added up (media by path, streams by type and path), the same figures as from
    /// <see cref="Snapshot"/> without a copy of every call: for samplers that run every second.
    /// </summary>
    LiveTally Tally() => LiveTally.Of(Snapshot());

    /// <summary>The relay's interface names, the default first.</summary>
    IReadOnlyList<string> InterfaceNames { get; }

    /// <summary>The interface that holds <paramref name="address"/> as its bind or advertised address; null when none does.</summary>
    string? InterfaceOf(IPAddress address);

    /// <summary>
    /// Stops taking new calls (<see cref="SessionError.Draining"/>) while the running ones go on, re-offers and
    /// answers included: a graceful drain before maintenance. There is no way back but a restart.
    /// </summary>
    void StartDraining();

    /// <summary>True once <see cref="StartDraining"/> was called.</summary>
    bool Draining { get; }

    /// <summary>Raised once, by the first <see cref="StartDraining"/>, whoever called it (SIGHUP, the management API).</summary>
    event Action? DrainStarted;

    /// <summary>Relay-wide figures.</summary>
    RelayTotals Totals { get; }

    /// <summary>Raised once for every new call, when its first offer has been applied, with its statistics then; outside the control lock.</summary>
    event Action<SessionStatistics>? SessionStarted;

    /// <summary>Raised once for every call that ends, however it ends (removal, timeout, removal delay, shutdown), with its final statistics and reason; outside the control lock.</summary>
    event Action<SessionStatistics>? SessionEnded;
}
