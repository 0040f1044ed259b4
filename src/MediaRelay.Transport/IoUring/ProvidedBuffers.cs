using System.Runtime.InteropServices;
using static MediaRelay.Transport.Native.IoUringNative;

namespace MediaRelay.Transport.IoUring;

/// <summary>
/// A ring of receive buffers registered with the kernel (a provided-buffer ring, group 0): a multishot recvmsg takes
/// one for each datagram, and the loop gives it back once the datagram has been relayed. Owned by the loop thread.
/// </summary>
internal sealed unsafe class ProvidedBuffers : IDisposable
{
    private const int EntrySize = 16; // struct io_uring_buf: u64 addr, u32 len, u16 bid, u16 resv
    private const int TailOffset = 14; // the ring's tail overlays the first entry's resv field

    private readonly byte* _ring;
    private readonly byte* _buffers;
    private readonly int _bufferSize;
    private readonly ushort _mask;
    private ushort _tail;

    private ProvidedBuffers(byte* ring, byte* buffers, int count, int bufferSize)
    {
        _ring = ring;
        _buffers = buffers;
        _bufferSize = bufferSize;
        _mask = (ushort)(count - 1);
        for (var i = 0; i < count; i++)
        {
            Return((ushort)i);
        }

        Publish();
    }

    public const ushort GroupId = 0;

    /// <summary>Registers <paramref name="count"/> (a power of two, at most 32,768) buffers with the ring.</summary>
    public static ProvidedBuffers? TryCreate(IoUringRing ring, int count, int bufferSize, out string? error)
    {
        var ringMemory = (byte*)NativeMemory.AlignedAlloc((nuint)(count * EntrySize), 4096);
        NativeMemory.Clear(ringMemory, (nuint)(count * EntrySize));
        var registration = default(BufferRingRegistration);
        registration.RingAddress = (ulong)ringMemory;
        registration.RingEntries = (uint)count;
        registration.GroupId = GroupId;
        if (Register(ring.Fd, RegisterPbufRing, &registration, 1) != 0)
        {
            error = $"registering the provided-buffer ring failed with errno {Marshal.GetLastPInvokeError()} (needs Linux 5.19 or later)";
            NativeMemory.AlignedFree(ringMemory);
            return null;
        }

        error = null;
        var buffers = (byte*)NativeMemory.AlignedAlloc((nuint)count * (nuint)bufferSize, 64);
        // Touched now, every page: the kernel fills the buffers in ring order, so all of them are used in turn, and
        // untouched pages would become resident one by one for as long as few packets reach user space (the kernel
        // path forwarding the rest: hours), a resident size that creeps instead of standing at its final figure from
        // the start (the soak, issue 13).
        NativeMemory.Clear(buffers, (nuint)count * (nuint)bufferSize);
        return new ProvidedBuffers(ringMemory, buffers, count, bufferSize);
    }

    public byte* this[int id] => _buffers + ((nint)id * _bufferSize);

    /// <summary>Puts buffer <paramref name="id"/> back in the ring; the kernel sees it after <see cref="Publish"/>.</summary>
    public void Return(ushort id)
    {
        var entry = _ring + ((_tail & _mask) * EntrySize);
        *(ulong*)entry = (ulong)this[id];
        *(uint*)(entry + 8) = (uint)_bufferSize;
        *(ushort*)(entry + 12) = id;
        _tail++;
    }

    /// <summary>Makes every returned buffer visible to the kernel (a release store of the tail).</summary>
    public void Publish() => Volatile.Write(ref *(ushort*)(_ring + TailOffset), _tail);

    public void Dispose()
    {
        // Called after the ring is closed: the kernel no longer writes into these.
        NativeMemory.AlignedFree(_ring);
        NativeMemory.AlignedFree(_buffers);
    }
}
