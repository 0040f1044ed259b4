using System.Net;
using System.Runtime.InteropServices;
using MediaRelay.Transport.Native;
using static MediaRelay.Transport.Native.IoUringNative;

namespace MediaRelay.Transport.IoUring;

/// <summary>
/// A loop's sends in flight: a fixed set of slots, each holding a copy of one packet and its destination until the
/// kernel reports the send done, and a reference on the socket's handle until the kernel has taken the entry (from
/// then on the request holds the file itself). Owned by the loop thread; allocates nothing after construction.
/// </summary>
internal sealed unsafe class SendSlots : IDisposable
{
    private const int NameSize = 64; // room for any sockaddr the relay sends to

    private readonly int _count;
    private readonly int _maxDatagram;
    private readonly byte* _names;
    private readonly byte* _data;
    private readonly int[] _free;
    private readonly IoUringSocket?[] _owners;
    private readonly int[] _unsubmitted;
    private int _freeCount;
    private int _unsubmittedCount;

    public SendSlots(int count, int maxDatagram)
    {
        _count = count;
        _maxDatagram = maxDatagram;
        _names = (byte*)NativeMemory.AllocZeroed((nuint)(count * NameSize));
        _data = (byte*)NativeMemory.AlignedAlloc((nuint)(count * maxDatagram), 64);
        _free = new int[count];
        _owners = new IoUringSocket?[count];
        _unsubmitted = new int[count];
        for (var i = 0; i < count; i++)
        {
            _free[i] = count - 1 - i;
        }

        _freeCount = count;
    }

    /// <summary>Sends the kernel has not reported done yet.</summary>
    public int InFlight => _count - _freeCount;

    /// <summary>
    /// Fills a send-with-destination entry for the packet (copied into a free slot) tagged with
    /// <paramref name="userData"/> | slot. False, with nothing taken, when no slot or entry is free, the packet or
    /// address does not fit, or the socket is closing: the caller then sends directly.
    /// </summary>
    public bool TryQueue(IoUringRing ring, IoUringSocket socket, ReadOnlySpan<byte> packet, SocketAddress destination, ulong userData)
    {
        if (_freeCount == 0 || _unsubmittedCount == _count || packet.Length > _maxDatagram || destination.Size > NameSize
            || !socket.TryAddReference())
        {
            return false;
        }

        var sqe = ring.NextSqe();
        if (sqe is null)
        {
            socket.ReleaseReference();
            return false;
        }

        // A send with a destination (sendto): the entry names the payload and the address, no msghdr to copy in.
        var slot = _free[--_freeCount];
        var name = _names + (slot * NameSize);
        var data = _data + (slot * _maxDatagram);
        packet.CopyTo(new Span<byte>(data, _maxDatagram));
        destination.Buffer.Span[..destination.Size].CopyTo(new Span<byte>(name, NameSize));
        sqe->Opcode = OpSend;
        sqe->Fd = socket.Fd;
        sqe->Address = (ulong)data;
        sqe->Length = (uint)packet.Length;
        sqe->OpFlags = LinuxNative.MsgDontWait;
        sqe->Offset = (ulong)name;
        sqe->AddressLength = (ushort)destination.Size;
        sqe->UserData = userData | (uint)slot;
        _owners[slot] = socket;
        _unsubmitted[_unsubmittedCount++] = slot;
        return true;
    }

    /// <summary>
    /// Once io_uring_enter has taken every entry, each send holds its own reference on its socket's file, so the
    /// handle references taken here can go: a socket that another loop closes then closes at once, not at this
    /// loop's next round. Entries the kernel has not taken keep theirs until their completion.
    /// </summary>
    public void ReleaseSubmitted(IoUringRing ring)
    {
        if (_unsubmittedCount == 0 || ring.Pending != 0)
        {
            return;
        }

        for (var i = 0; i < _unsubmittedCount; i++)
        {
            // A slot can be listed twice when a full queue made NextSqe submit early and the send completed and
            // its slot was taken again, all in one round: the first entry releases, the second finds nothing.
            var slot = _unsubmitted[i];
            _owners[slot]?.ReleaseReference();
            _owners[slot] = null;
        }

        _unsubmittedCount = 0;
    }

    /// <summary>The kernel reported slot <paramref name="slot"/> done: it is free again.</summary>
    public void Complete(int slot)
    {
        _owners[slot]?.ReleaseReference(); // still held only if its entry was not taken at once
        _owners[slot] = null;
        _free[_freeCount++] = slot;
    }

    public void Dispose()
    {
        NativeMemory.Free(_names);
        NativeMemory.AlignedFree(_data);
    }
}
