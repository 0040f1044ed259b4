using System.Net;

namespace MediaRelay.Core.Forwarding;

/// <summary>
/// One direction of one flow that may move to kernel forwarding: packets arriving on <see cref="InLocal"/> from
/// <see cref="InRemote"/> leave from <see cref="OutLocal"/> to <see cref="OutRemote"/>.
/// </summary>
public sealed record KernelFlow(IPEndPoint InLocal, IPEndPoint InRemote, IPEndPoint OutLocal, IPEndPoint OutRemote);

/// <summary>
/// The seam for kernel forwarding (rule 5 and 6 of the seed). Core calls <see cref="TryOffload"/> at the moment a
/// direction becomes eligible: its source is learned and has sent media, and its destination is learned.
/// The user-space path stays complete: when the backend declines, nothing changes.
/// </summary>
public interface IKernelForwarder
{
    /// <summary>True when the backend took the flow; its packets then no longer reach user space.</summary>
    bool TryOffload(KernelFlow flow);

    /// <summary>Removes a flow (its stream ended or its addresses changed).</summary>
    void Remove(KernelFlow flow);

    /// <summary>Packets and bytes the kernel forwarded for the flow since it was offloaded.</summary>
    (long Packets, long Bytes) ReadCounters(KernelFlow flow);
}

/// <summary>The default backend: declines every flow, so all packets go through user space.</summary>
public sealed class UserSpaceOnlyForwarder : IKernelForwarder
{
    public static readonly UserSpaceOnlyForwarder Instance = new();

    public bool TryOffload(KernelFlow flow) => false;

    public void Remove(KernelFlow flow)
    {
    }

    public (long Packets, long Bytes) ReadCounters(KernelFlow flow) => (0, 0);
}
