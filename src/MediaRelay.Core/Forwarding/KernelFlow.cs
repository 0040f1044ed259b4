using System.Net;

namespace MediaRelay.Core.Forwarding;

/// <summary>Where a kernel flow stands: posted, taken by the kernel, refused by it, or removed.</summary>
public enum KernelFlowState
{
    Pending,
    Installed,
    Refused,
    Removed,
}

/// <summary>
/// One direction of one flow that may move to kernel forwarding: packets arriving on <see cref="InLocal"/> from
/// <see cref="InRemote"/> leave from <see cref="OutLocal"/> to <see cref="OutRemote"/>.
/// Threading: the endpoints are immutable. The state and counters are written only by the kernel worker
/// (<see cref="KernelQueue"/>) and read from any thread with volatile reads.
/// </summary>
public sealed class KernelFlow(IPEndPoint inLocal, IPEndPoint inRemote, IPEndPoint outLocal, IPEndPoint outRemote)
{
    private long _packets;
    private long _bytes;
    private long _lastActive;
    private int _state;

    public IPEndPoint InLocal { get; } = inLocal;

    public IPEndPoint InRemote { get; } = inRemote;

    public IPEndPoint OutLocal { get; } = outLocal;

    public IPEndPoint OutRemote { get; } = outRemote;

    public KernelFlowState State => (KernelFlowState)Volatile.Read(ref _state);

    /// <summary>Packets the kernel forwarded, as of the worker's last read.</summary>
    public long Packets => Volatile.Read(ref _packets);

    /// <summary>UDP payload bytes the kernel forwarded, as of the worker's last read.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>
    /// Timestamp (the relay's <see cref="TimeProvider"/>) until which the source may have been sending through the
    /// kernel: the read that last saw the counters grow, plus the read interval. 0 when never seen.
    /// </summary>
    public long LastActive => Volatile.Read(ref _lastActive);

    /// <summary>True when both flows describe the same rewrite.</summary>
    public bool SameRoute(KernelFlow? other) =>
        other is not null && InLocal.Equals(other.InLocal) && InRemote.Equals(other.InRemote)
        && OutLocal.Equals(other.OutLocal) && OutRemote.Equals(other.OutRemote);

    internal void SetState(KernelFlowState state) => Volatile.Write(ref _state, (int)state);

    /// <summary>Worker only: the counters read from the kernel; growth marks the source active.</summary>
    internal void Update(long packets, long bytes, long activeUntil)
    {
        if (packets > Volatile.Read(ref _packets))
        {
            Volatile.Write(ref _lastActive, activeUntil);
        }

        Volatile.Write(ref _packets, packets);
        Volatile.Write(ref _bytes, bytes);
    }

    /// <summary>
    /// Where the backend keeps this flow's counters (the eBPF backend: its slot of mr_counters); -1 when nowhere.
    /// Written and read by the backend on the kernel worker only.
    /// </summary>
    public int BackendSlot { get; set; } = -1;

    /// <summary>The flow's place in the kernel worker's list of installed flows; -1 when not installed.</summary>
    internal int InstalledIndex { get; set; } = -1;

    public override string ToString() => $"{InRemote} -> {InLocal} => {OutLocal} -> {OutRemote}";
}
