using MediaRelay.Core.Api;
using MediaRelay.Core.Forwarding;
using MediaRelay.Core.Statistics;

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

        return new SessionStatistics(CallId, CallerTag, CalleeTag, Created, ended, reason, timeoutWait, streams) { LastSignal = LastSignal };
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
