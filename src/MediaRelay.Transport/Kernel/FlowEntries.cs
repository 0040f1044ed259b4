using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Forwarding;

namespace MediaRelay.Transport.Kernel;

/// <summary>
/// The byte layout of the <c>mr_flows</c> map shared with Bpf/mr_forward.bpf.c (struct mr_flow_key, 40 bytes;
/// struct mr_flow_value, 56 bytes) and of a <c>mr_counters</c> slot (struct mr_counter, 24 bytes). Ports are in
/// network order; IPv4 addresses fill the first 4 of 16 bytes; the egress interface, the flags, the slot and the
/// counters are in host order.
/// </summary>
internal static class FlowEntries
{
    public const int KeySize = 40;
    public const int ValueSize = 56;

    /// <summary>Bytes of one mr_counters slot: packets, bytes, last_ns (u64 each).</summary>
    public const int CounterSize = 24;

    /// <summary>MR_FLOW_LOCAL: the receiver is on this host; the program rewrites and lets the stack deliver.</summary>
    public const uint LocalFlag = 1;

    /// <summary>
    /// The key (where a packet arrives, from whom) and the value (the rewrite) of a direction. False when the two
    /// sides are of different address families: bridging IPv4 and IPv6 would need the program to rebuild the IP
    /// header (bpf_skb_change_proto), which it does not; such a direction stays in user space.
    /// </summary>
    public static bool TryWrite(KernelFlow flow, Span<byte> key, Span<byte> value, int egressIfIndex = 0, bool local = false, int slot = 0)
    {
        var family = flow.InLocal.AddressFamily;
        if (flow.InRemote.AddressFamily != family || flow.OutLocal.AddressFamily != family || flow.OutRemote.AddressFamily != family)
        {
            return false;
        }

        key[..KeySize].Clear();
        value[..ValueSize].Clear();
        var tag = family == AddressFamily.InterNetwork ? (byte)4 : (byte)6;
        key[0] = tag;
        BinaryPrimitives.WriteUInt16BigEndian(key[4..], (ushort)flow.InLocal.Port);
        BinaryPrimitives.WriteUInt16BigEndian(key[6..], (ushort)flow.InRemote.Port);
        WriteAddress(flow.InLocal.Address, key.Slice(8, 16));
        WriteAddress(flow.InRemote.Address, key.Slice(24, 16));
        value[0] = tag;
        BinaryPrimitives.WriteUInt16BigEndian(value[4..], (ushort)flow.OutLocal.Port);
        BinaryPrimitives.WriteUInt16BigEndian(value[6..], (ushort)flow.OutRemote.Port);
        WriteAddress(flow.OutLocal.Address, value.Slice(8, 16));
        WriteAddress(flow.OutRemote.Address, value.Slice(24, 16));
        BinaryPrimitives.WriteUInt32LittleEndian(value[40..], (uint)egressIfIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(value[44..], local ? LocalFlag : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(value[48..], (uint)slot);
        return true;
    }

    /// <summary>
    /// Packets and bytes of the slot at <paramref name="slot"/> (mapped memory the program adds to with atomic
    /// adds: each aligned 64-bit load sees a whole value).
    /// </summary>
    public static unsafe (long Packets, long Bytes) ReadCounters(byte* slot) =>
        (Volatile.Read(ref *(long*)slot), Volatile.Read(ref *(long*)(slot + 8)));

    /// <summary>Zeroes a slot before an entry names it (it may hold a removed direction's counts).</summary>
    public static unsafe void ClearCounters(byte* slot)
    {
        Volatile.Write(ref *(long*)slot, 0);
        Volatile.Write(ref *(long*)(slot + 8), 0);
        Volatile.Write(ref *(long*)(slot + 16), 0);
    }

    private static void WriteAddress(IPAddress address, Span<byte> destination)
    {
        if (!address.TryWriteBytes(destination, out _))
        {
            throw new ArgumentException($"address {address} does not fit a map entry", nameof(address));
        }
    }
}
