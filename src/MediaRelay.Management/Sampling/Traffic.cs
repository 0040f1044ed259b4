using MediaRelay.Core.Statistics;

namespace MediaRelay.Management.Sampling;

/// <summary>
/// Media counted over a set of calls, split by path: user space (the packet loops) and kernel (the eBPF program).
/// Errors are packets user space dropped (malformed, from an unexpected source).
/// </summary>
public readonly record struct Traffic(long UserPackets, long UserBytes, long KernelPackets, long KernelBytes, long Errors)
{
    public long Packets => UserPackets + KernelPackets;

    public long Bytes => UserBytes + KernelBytes;

    public static Traffic operator +(Traffic a, Traffic b) => new(a.UserPackets + b.UserPackets, a.UserBytes + b.UserBytes,
        a.KernelPackets + b.KernelPackets, a.KernelBytes + b.KernelBytes, a.Errors + b.Errors);

    /// <summary>The largest of each figure: counters only go up, even while a call moves from running to ended.</summary>
    public static Traffic Max(Traffic a, Traffic b) => new(Math.Max(a.UserPackets, b.UserPackets), Math.Max(a.UserBytes, b.UserBytes),
        Math.Max(a.KernelPackets, b.KernelPackets), Math.Max(a.KernelBytes, b.KernelBytes), Math.Max(a.Errors, b.Errors));

    /// <summary>Every stream, party and flow (RTP and RTCP) of one call.</summary>
    public static Traffic Of(SessionStatistics call)
    {
        var sum = default(Traffic);
        foreach (var stream in call.Streams)
        {
            sum += Of(stream.Caller.Rtp) + Of(stream.Caller.Rtcp) + Of(stream.Callee.Rtp) + Of(stream.Callee.Rtcp);
        }

        return sum;
    }

    /// <summary>One side of one flow: what arrived from its party.</summary>
    private static Traffic Of(SubPartyStatistics side) => new(side.Packets, side.Bytes, side.KernelPackets, side.KernelBytes, side.Errors);
}
