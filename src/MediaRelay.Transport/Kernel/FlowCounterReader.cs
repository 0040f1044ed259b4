using System.Runtime.InteropServices;
using MediaRelay.Core.Forwarding;
using MediaRelay.Transport.Native;

namespace MediaRelay.Transport.Kernel;

/// <summary>
/// Reads the counters of many flows with a few bpf(BPF_MAP_LOOKUP_BATCH) calls instead of one lookup per flow:
/// the whole map comes up in chunks, and each flow finds its entry by key (written at install, see
/// <see cref="BpfKernelBackend"/>). The buffers and the index are kept between reads, so a read allocates nothing
/// once the map stopped growing. The kernel walks every bucket of the map, so its size (not the flows') sets the
/// cost of the walk.
/// Threading: the kernel worker only.
/// </summary>
internal sealed unsafe class FlowCounterReader
{
    private const int Chunk = 4096;
    private readonly Dictionary<FlowKey, (long Packets, long Bytes)> _index = [];
    private readonly byte[] _keys = new byte[Chunk * FlowEntries.KeySize];
    private readonly byte[] _values = new byte[Chunk * FlowEntries.ValueSize];

    /// <summary>False when the kernel has no batch lookup (Linux before 5.6): the caller reads flow by flow.</summary>
    public bool TryRead(int mapFd, IReadOnlyList<KernelFlow> flows, Span<(long Packets, long Bytes)> counters,
        IReadOnlyDictionary<KernelFlow, FlowKey> installed)
    {
        _index.Clear();
        ulong inBatch = 0;
        ulong outBatch = 0;
        var first = true;
        fixed (byte* keys = _keys)
        fixed (byte* values = _values)
        {
            while (true)
            {
                uint count = Chunk;
                var result = LibbpfNative.MapLookupBatch(mapFd, first ? null : &inBatch, &outBatch, keys, values, &count, 0);
                for (var i = 0; i < (int)count; i++)
                {
                    var entry = FlowKey.From(_keys.AsSpan(i * FlowEntries.KeySize, FlowEntries.KeySize));
                    _index[entry] = FlowEntries.ReadCounters(_values.AsSpan(i * FlowEntries.ValueSize, FlowEntries.ValueSize));
                }

                if (result == -LibbpfNative.ENoEnt)
                {
                    break; // the last chunk
                }

                if (result < 0)
                {
                    return false;
                }

                inBatch = outBatch;
                first = false;
            }
        }

        Span<byte> key = stackalloc byte[FlowEntries.KeySize];
        Span<byte> value = stackalloc byte[FlowEntries.ValueSize];
        for (var i = 0; i < flows.Count; i++)
        {
            var known = installed.TryGetValue(flows[i], out var flowKey);
            if (!known && FlowEntries.TryWrite(flows[i], key, value))
            {
                flowKey = FlowKey.From(key);
                known = true;
            }

            counters[i] = known && _index.TryGetValue(flowKey, out var found) ? found : (flows[i].Packets, flows[i].Bytes);
        }

        return true;
    }

    /// <summary>The 40 bytes of a map key as five words, to index entries without allocating.</summary>
    internal readonly record struct FlowKey(ulong A, ulong B, ulong C, ulong D, ulong E)
    {
        public static FlowKey From(ReadOnlySpan<byte> key)
        {
            var words = MemoryMarshal.Cast<byte, ulong>(key[..FlowEntries.KeySize]);
            return new FlowKey(words[0], words[1], words[2], words[3], words[4]);
        }
    }
}
