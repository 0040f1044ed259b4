namespace MediaRelay.Core.Statistics;

/// <summary>
/// The running calls added up: media by path (user space, kernel) over every stream, party and flow, and the streams
/// still running, by media type and by where their media goes. What a once-a-second sampler needs, without a
/// snapshot of every call: <see cref="Api.ISessionApi.Tally"/>.
/// </summary>
public sealed class LiveTally
{
    private readonly Dictionary<string, int> _streamsByType = new(StringComparer.Ordinal);

    /// <summary>Packets the packet loops relayed (or dropped as errors: see <see cref="Errors"/>), every flow.</summary>
    public long UserPackets { get; private set; }

    public long UserBytes { get; private set; }

    /// <summary>Packets the kernel path forwarded, as last read (at most a second old).</summary>
    public long KernelPackets { get; private set; }

    public long KernelBytes { get; private set; }

    /// <summary>Packets dropped in user space: malformed, or from a source not admitted.</summary>
    public long Errors { get; private set; }

    /// <summary>Running streams with no direction in the kernel.</summary>
    public int UserSpaceStreams { get; private set; }

    /// <summary>Running streams with at least one direction in the kernel.</summary>
    public int KernelStreams { get; private set; }

    /// <summary>Running streams by media type ("audio", "video", ...).</summary>
    public IReadOnlyDictionary<string, int> StreamsByType => _streamsByType;

    /// <summary>The tally of snapshots (any <see cref="Api.ISessionApi"/>); the session manager counts in place.</summary>
    public static LiveTally Of(IEnumerable<SessionStatistics> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var tally = new LiveTally();
        foreach (var call in calls)
        {
            foreach (var stream in call.Streams)
            {
                foreach (var side in (ReadOnlySpan<SubPartyStatistics>)[stream.Caller.Rtp, stream.Caller.Rtcp, stream.Callee.Rtp, stream.Callee.Rtcp])
                {
                    tally.AddFlow(side.Packets, side.Bytes, side.KernelPackets, side.KernelBytes, side.Errors);
                }

                if (stream.EndReason == Api.EndReason.None)
                {
                    tally.AddStream(stream.MediaType, stream.KernelDirections > 0);
                }
            }
        }

        return tally;
    }

    /// <summary>One side of one flow: what arrived from its party.</summary>
    internal void AddFlow(long userPackets, long userBytes, long kernelPackets, long kernelBytes, long errors)
    {
        UserPackets += userPackets;
        UserBytes += userBytes;
        KernelPackets += kernelPackets;
        KernelBytes += kernelBytes;
        Errors += errors;
    }

    /// <summary>One running stream.</summary>
    internal void AddStream(string mediaType, bool inKernel)
    {
        _streamsByType[mediaType] = _streamsByType.GetValueOrDefault(mediaType) + 1;
        if (inKernel)
        {
            KernelStreams++;
        }
        else
        {
            UserSpaceStreams++;
        }
    }
}
