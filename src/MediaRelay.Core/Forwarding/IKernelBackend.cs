namespace MediaRelay.Core.Forwarding;

/// <summary>
/// A kernel forwarding backend (the eBPF program in Transport/Kernel, or a test double). Only the kernel worker
/// (<see cref="KernelQueue"/>) calls it, from one thread, so it needs no lock; it never runs on a packet loop.
/// </summary>
public interface IKernelBackend : IDisposable
{
    /// <summary>What carries the flows, for the log ("eBPF on TC ingress of lo, eth0").</summary>
    string Description { get; }

    /// <summary>Installs one direction. False when the kernel refused it: the direction stays in user space.</summary>
    bool TryInstall(KernelFlow flow);

    /// <summary>Removes one direction and returns its final counters (packets, UDP payload bytes).</summary>
    (long Packets, long Bytes) Remove(KernelFlow flow);

    /// <summary>Reads the counters of every flow in <paramref name="flows"/> into <paramref name="counters"/>.</summary>
    void Read(IReadOnlyList<KernelFlow> flows, Span<(long Packets, long Bytes)> counters);
}
