namespace MediaRelay.Host.Hosting;

/// <summary>
/// Splits the descriptor limit between the media sockets and everything else, so that running out of descriptors
/// is "Ran out of ports" on an offer and never starves the runtime, the ng sockets or the shutdown.
/// </summary>
internal static class DescriptorBudget
{
    /// <summary>
    /// Descriptors kept free on top of those open at start. What opens later is mostly assemblies loaded on first use
    /// of a code path (the runtime keeps two descriptors open per loaded assembly: about 125 descriptors are open at
    /// start, and every ng command kind once used, bencode and JSON, added 13 more) and the shutdown itself, which
    /// aborted the process ("Out of memory", SIGABRT) when it found no descriptor free. 128 is ten times what was seen
    /// to open later, at the cost of 32 calls: nothing next to a production limit of tens of thousands.
    /// </summary>
    public const int Spare = 128;

    /// <summary>One call of one audio stream: RTP and RTCP on each side.</summary>
    public const int SocketsPerCall = 4;

    /// <summary>
    /// The descriptors not for media: those open now (runtime, assemblies, stdio, the packet loops' rings or epoll
    /// and their eventfds), the ng sockets about to open, and <see cref="Spare"/>.
    /// </summary>
    public static long Reserve(int openNow, int ngSockets) => Math.Max(openNow, 0) + ngSockets + Spare;

    /// <summary>
    /// The media-socket budget for <see cref="Core.Api.RelayOptions.MaxMediaSockets"/>: at least 1, because 0 would
    /// mean no budget at all (with 1 every offer is refused, which is right when nothing fits).
    /// </summary>
    public static int MediaSockets(long limit, long reserve) => (int)Math.Clamp(limit - reserve, 1, int.MaxValue);
}
