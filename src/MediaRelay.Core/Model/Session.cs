using System.Globalization;
using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Core.Forwarding;
using MediaRelay.Core.Net;
using MediaRelay.Core.Statistics;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Core.Model;

/// <summary>
/// One call (Call-ID and the two parties' tags) and its streams, indexed by m-line position.
/// Threading: control thread only (under <see cref="SessionManager"/>'s lock).
/// </summary>
internal sealed class Session : IDisposable
{
    private readonly List<MediaStream?> _streams = [];

    public Session(string callId, string callerTag, string? calleeTag, DateTimeOffset created)
    {
        CallId = callId;
        CallerTag = callerTag;
        CalleeTag = calleeTag;
        Created = created;
    }

    public string CallId { get; }

    public string CallerTag { get; }

    public string? CalleeTag { get; set; }

    public DateTimeOffset Created { get; }

    /// <summary>When the last offer or answer was applied.</summary>
    public DateTimeOffset LastSignal { get; set; }

    /// <summary>The SIP From URI, when a protocol adapter gave it (<see cref="Api.ISessionApi.SetParties"/>).</summary>
    public string? FromUri { get; set; }

    /// <summary>The SIP To URI, when a protocol adapter gave it.</summary>
    public string? ToUri { get; set; }

    public IReadOnlyList<MediaStream?> Streams => _streams;

    /// <summary>
    /// Timestamp from which the timeout sweep looks at this session again (0: at the next sweep). Under the
    /// control lock: the sweep sets it from its streams, signalling clears it.
    /// </summary>
    public long NextCheck { get; set; }

    /// <summary>True when the session has streams and every one of them ended.</summary>
    public bool AllStreamsEnded
    {
        get
        {
            var any = false;
            foreach (var stream in _streams)
            {
                if (stream is null)
                {
                    continue;
                }

                any = true;
                if (!stream.Ended)
                {
                    return false;
                }
            }

            return any;
        }
    }

    /// <summary>True when some stream is still relaying.</summary>
    public bool HasLiveStream
    {
        get
        {
            foreach (var stream in _streams)
            {
                if (stream is { Ended: false })
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>The role of the party that sends an offer with this from-tag: the callee when it re-INVITEs.</summary>
    public PartyRole OffererRole(string fromTag) =>
        CalleeTag is not null && fromTag == CalleeTag && fromTag != CallerTag ? PartyRole.Callee : PartyRole.Caller;

    /// <summary>The role of the party that answers with this to-tag: the caller when it answers a callee's re-INVITE.</summary>
    public PartyRole AnswererRole(string toTag) =>
        toTag == CallerTag && CalleeTag is not null ? PartyRole.Caller : PartyRole.Callee;

    public MediaStream? Stream(int index) => index < _streams.Count ? _streams[index] : null;

    /// <summary>Puts a stream at its m-line index, disposing (and freeing the ports of) the one it replaces.</summary>
    public void SetStream(int index, MediaStream stream)
    {
        while (_streams.Count <= index)
        {
            _streams.Add(null);
        }

        _streams[index]?.Dispose();
        _streams[index] = stream;
    }

    /// <summary>
    /// The offer rules (RFC 3264 sections 5 and 8): the offerer's media for m-lines <paramref name="first"/> onwards.
    /// A new m-line, or one whose media type or interfaces changed, gets a new stream; every new stream is
    /// allocated before anything changes, so running out of ports changes nothing. Port 0 closes a stream. A whole
    /// offer (<paramref name="whole"/>) also closes the streams it no longer lists; an offer of one stream leaves
    /// the others alone. Adds, per m-line, the relay ports facing the other party to <paramref name="relayed"/>.
    /// </summary>
    public SessionError ApplyOffer(PartyRole role, IReadOnlyList<MediaDescription> media, int first, bool whole,
        IPAddress? signallingSource, IStreamFactory factory, MediaPlacement placement, DateTimeOffset now, ILogger logger,
        List<RelayedMedia> relayed)
    {
        List<MediaStream>? created = null;
        for (var i = 0; i < media.Count; i++)
        {
            var description = media[i];
            var existing = Stream(first + i);
            if (description.Port == 0)
            {
                continue;
            }

            if (!factory.TryPlace(existing, role, description.Address, placement, out var offererPool, out var answererPool))
            {
                Dispose(created);
                return SessionError.UnknownInterface;
            }

            var answerer = role == PartyRole.Caller ? PartyRole.Callee : PartyRole.Caller;
            var reusable = existing is { Ended: false } && existing.MediaType == description.MediaType
                && existing.Party(role).Pool == offererPool && existing.Party(answerer).Pool == answererPool;
            if (reusable)
            {
                continue;
            }

            var (callerPool, calleePool) = role == PartyRole.Caller ? (offererPool, answererPool) : (answererPool, offererPool);
            if (!factory.TryCreate(CallId, first + i, description.MediaType, callerPool, calleePool, out var stream))
            {
                Dispose(created);
                return SessionError.OutOfPorts;
            }

            (created ??= []).Add(stream);
        }

        foreach (var stream in created ?? [])
        {
            SetStream(stream.Index, stream);
        }

        Update(role, media, first, isOffer: true, signallingSource, otherPhone: false, factory, now, logger, relayed);
        if (whole)
        {
            // Streams missing from a new offer are closed (RFC 3264 section 8: m-lines are never removed).
            for (var i = first + media.Count; i < _streams.Count; i++)
            {
                _streams[i]?.End(EndReason.Closed, TimeSpan.Zero);
            }
        }

        return SessionError.None;
    }

    private static void Dispose(List<MediaStream>? streams)
    {
        foreach (var stream in streams ?? [])
        {
            stream.Dispose();
        }
    }

    /// <summary>
    /// The answer rules: the answerer's media for m-lines <paramref name="first"/> onwards, on the streams the
    /// offer created; port 0 rejects a stream. <paramref name="otherPhone"/> says the answer comes from another
    /// forked branch than the one that answered before, whose phone's addresses are then forgotten.
    /// </summary>
    public void ApplyAnswer(PartyRole role, IReadOnlyList<MediaDescription> media, int first, bool otherPhone,
        IPAddress? signallingSource, IStreamFactory factory, DateTimeOffset now, ILogger logger, List<RelayedMedia> relayed) =>
        Update(role, media, first, isOffer: false, signallingSource, otherPhone, factory, now, logger, relayed);

    private void Update(PartyRole role, IReadOnlyList<MediaDescription> media, int first, bool isOffer,
        IPAddress? signallingSource, bool otherPhone, IStreamFactory factory, DateTimeOffset now, ILogger logger,
        List<RelayedMedia> relayed)
    {
        LastSignal = now;
        NextCheck = 0; // signalling can change timeouts, hold, obsolete marks: the next sweep looks again
        var other = role == PartyRole.Caller ? PartyRole.Callee : PartyRole.Caller;
        for (var i = 0; i < media.Count; i++)
        {
            var index = first + i;
            var description = media[i];
            var stream = Stream(index);
            if (description.Port == 0 || stream is null || stream.Ended)
            {
                stream?.End(isOffer ? EndReason.Closed : EndReason.Rejected, TimeSpan.Zero);
                relayed.Add(new RelayedMedia(index, stream?.Party(other).Address ?? factory.RelayAddress, 0, 0));
                continue;
            }

            var verdict = stream.UpdateParty(role, description, signallingSource, otherPhone);
            if (verdict != DestinationVerdict.Allowed)
            {
                CoreLog.DestinationRefused(logger, CallId, index, role == PartyRole.Caller ? "caller" : "callee",
                    description.Address + ":" + description.Port.ToString(CultureInfo.InvariantCulture), verdict.ToString());
            }

            var facing = stream.Party(other);
            relayed.Add(new RelayedMedia(index, facing.Address, facing.RtpListener.Port, facing.RtcpListener.Port));
        }
    }

    /// <summary>The end of the stream that ended last, as the session's reason.</summary>
    public (EndReason Reason, TimeSpan TimeoutWait) LastEnd()
    {
        var result = (EndReason.Closed, TimeSpan.Zero);
        foreach (var stream in _streams)
        {
            if (stream is { Ended: true })
            {
                result = (stream.EndReason, stream.TimeoutWait);
            }
        }

        return result;
    }

    /// <summary>True when any direction of the session was ever posted to the kernel.</summary>
    public bool UsedKernel
    {
        get
        {
            foreach (var stream in _streams)
            {
                if (stream is not null && (stream.Rtp.UsedKernel || stream.Rtcp.UsedKernel))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>The kernel directions the session holds now.</summary>
    public KernelFlow[] KernelFlows()
    {
        var flows = new List<KernelFlow>();
        foreach (var stream in _streams)
        {
            stream?.Rtp.CollectKernelFlows(flows);
            stream?.Rtcp.CollectKernelFlows(flows);
        }

        return [.. flows];
    }

    public void EndAll(EndReason reason)
    {
        foreach (var stream in _streams)
        {
            stream?.End(reason, TimeSpan.Zero);
        }
    }

    public SessionStatistics Snapshot(DateTimeOffset? ended, EndReason reason, TimeSpan timeoutWait)
    {
        var streams = new List<StreamStatistics>(_streams.Count);
        foreach (var stream in _streams)
        {
            if (stream is null)
            {
                continue;
            }

            var s = stream.Snapshot();
            streams.Add(s with
            {
                Caller = s.Caller with { Tag = CallerTag },
                Callee = s.Callee with { Tag = CalleeTag },
            });
        }

        return new SessionStatistics(CallId, CallerTag, CalleeTag, Created, ended, reason, timeoutWait, streams)
        {
            LastSignal = LastSignal,
            FromUri = FromUri,
            ToUri = ToUri,
        };
    }

    public void Dispose()
    {
        foreach (var stream in _streams)
        {
            stream?.Dispose();
        }

        _streams.Clear();
    }
}
