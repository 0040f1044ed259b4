using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using MediaRelay.Transport.Native;
using MediaRelay.Transport.Udp;
using static MediaRelay.Transport.Native.IoUringNative;

namespace MediaRelay.Transport.IoUring;

/// <summary>
/// One io_uring loop: a dedicated thread that owns a ring, a ring of provided receive buffers, and the media sockets
/// sharded to it. Each socket has one multishot recvmsg request in the kernel, which fills a provided buffer per
/// datagram; the loop hands each datagram to the socket's receiver inline, and every packet relayed from this thread
/// becomes a sendmsg entry in this ring. One io_uring_enter submits all of a round's sends and waits for the next
/// completions, so a round costs one system call however many packets it carries.
///
/// Threading rules:
/// - Only the loop thread touches the ring, the buffers, the send slots and the socket slots (the ring is set up
///   single-issuer). Other threads reach the loop through a command queue and an eventfd the ring keeps a read on.
/// - A socket's descriptor is closed only by its loop, after the kernel has ended the socket's receive (the cancel's
///   final completion), so no completion can ever name a reused descriptor.
/// - A queued send holds a reference on its socket's handle until its completion, so a socket closed by another loop
///   cannot give its descriptor number away while the kernel still sends from it.
/// - Counters are written by the loop thread only and read by anyone.
/// </summary>
internal sealed unsafe class IoUringLoop : IDisposable
{
    private const uint RingEntries = 4096;
    private const uint CompletionEntries = 32768;
    private const int ReceiveBuffers = 4096;
    private const int SendSlots = 2048;
    private const int NameSpace = 32; // room for a sockaddr_in6 (28 bytes) in every receive buffer
    private const int ReceiveHeader = 16 + NameSpace; // io_uring_recvmsg_out, then the name, then the payload
    private const int SendNameSize = 64; // the destination sockaddr of each send slot
    private const int MaxDestination = 64;
    private const int CompletionsPerAdvance = 64;
    private const int MaxFailedReceives = 16;
    private const int MaxEnterFailures = 100;
    private const int KindShift = 56;
    private const ulong KindReceive = 1;
    private const ulong KindSend = 2;
    private const ulong KindWake = 3;
    private const ulong KindCancel = 4;

    [ThreadStatic]
    private static IoUringLoop? t_current;

    private readonly int _maxDatagram;
    private readonly int _realtimePriority;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _started = new();
    private readonly ConcurrentQueue<(IoUringSocket Socket, bool Close)> _commands = new();
    private readonly Lock _commandLock = new(); // orders commands and wakes against stopping; never on the packet path
    private readonly SourceAddresses _sources = new();
    private readonly Stack<int> _freeSlots = new();
    private readonly List<IoUringSocket> _unarmed = [];
    private readonly int[] _freeSendSlots = new int[SendSlots];
    private readonly IoUringSocket?[] _sendOwners = new IoUringSocket?[SendSlots];
    private readonly int[] _unsubmittedSends = new int[SendSlots];
    private int _unsubmittedCount;
    private readonly int _wakeFd;
    private readonly ulong* _wakeValue;
    private readonly LinuxNative.MMsgHdr* _receiveHeader;
    private readonly byte* _sendNames;
    private readonly byte* _sendData;
    private IoUringRing? _ring;
    private ProvidedBuffers? _buffers;
    private IoUringSocket?[] _slots = new IoUringSocket?[256];
    private int _nextSlot;
    private int _liveSockets;
    private int _freeSendCount;
    private int _sendsInFlight;
    private bool _closingAll;
    private bool _wakeUnarmed;
    private int _enterFailures;
    private volatile bool _stopping;
    private long _packets;
    private long _rounds;
    private long _truncated;
    private long _receiveErrors;
    private long _handlerErrors;
    private long _sendErrors;
    private long _sendsQueued;

    public IoUringLoop(int index, int maxDatagram, int realtimePriority = 0)
    {
        Index = index;
        _realtimePriority = realtimePriority;
        _maxDatagram = maxDatagram;
        _wakeFd = LinuxNative.EventFd(0, LinuxNative.EfdCloexec); // blocking: the ring polls it
        if (_wakeFd < 0)
        {
            throw new InvalidOperationException($"eventfd failed with errno {Marshal.GetLastPInvokeError()}");
        }

        _wakeValue = (ulong*)NativeMemory.AllocZeroed(sizeof(ulong));
        _receiveHeader = (LinuxNative.MMsgHdr*)NativeMemory.AllocZeroed((nuint)sizeof(LinuxNative.MMsgHdr));
        _receiveHeader->NameLength = NameSpace; // tells the multishot receive how much room to leave for the source
        _sendNames = (byte*)NativeMemory.AllocZeroed((nuint)(SendSlots * SendNameSize));
        _sendData = (byte*)NativeMemory.AlignedAlloc((nuint)(SendSlots * maxDatagram), 64);
        for (var i = 0; i < SendSlots; i++)
        {
            _freeSendSlots[i] = SendSlots - 1 - i;
        }

        _freeSendCount = SendSlots;
        _thread = new Thread(Run) { IsBackground = true, Name = $"mr-uring-{index}" };
        _thread.Start();
        _started.Wait();
        if (StartError is not null)
        {
            _thread.Join();
            FreeNative();
            throw new PlatformNotSupportedException(StartError);
        }
    }

    public int Index { get; }

    /// <summary>Why the ring could not be set up; null once the loop runs.</summary>
    public string? StartError { get; private set; }

    /// <summary>0, or the errno of the refused real-time priority.</summary>
    public int SchedulingError { get; private set; }

    /// <summary>The loop the calling thread runs, or null on any other thread.</summary>
    public static IoUringLoop? Current => t_current;

    public long Packets => Volatile.Read(ref _packets);

    /// <summary>io_uring_enter rounds: Packets / Rounds is the packets handled per system call.</summary>
    public long Rounds => Volatile.Read(ref _rounds);

    public long Truncated => Volatile.Read(ref _truncated);

    /// <summary>Receives that ended with an error, and io_uring_enter calls that failed.</summary>
    public long ReceiveErrors => Volatile.Read(ref _receiveErrors);

    public long HandlerErrors => Volatile.Read(ref _handlerErrors);

    public long SendErrors => Volatile.Read(ref _sendErrors);

    /// <summary>Packets sent through the ring (the rest went out with a direct sendto).</summary>
    public long SendsQueued => Volatile.Read(ref _sendsQueued);

    /// <summary>Hands a bound socket to the loop, which starts its receive. False when the loop is stopping.</summary>
    public bool TryRegister(IoUringSocket socket)
    {
        lock (_commandLock)
        {
            if (_stopping)
            {
                return false;
            }

            _commands.Enqueue((socket, false));
            Wake();
            return true;
        }
    }

    /// <summary>
    /// Stops delivery at once; the loop cancels the receive and then closes the descriptor. Once the loop is stopping
    /// there is nothing to do: its way out closes every socket it holds or was handed.
    /// </summary>
    public void Unregister(IoUringSocket socket)
    {
        lock (_commandLock)
        {
            if (!_stopping)
            {
                _commands.Enqueue((socket, true));
                Wake();
            }
        }
    }

    /// <summary>
    /// Queues a send in this loop's ring (the packet is copied into a send slot). False when no slot is free or the
    /// socket is closing: the caller then sends directly.
    /// </summary>
    public bool TryQueueSend(IoUringSocket socket, ReadOnlySpan<byte> packet, SocketAddress destination)
    {
        if (_freeSendCount == 0 || _unsubmittedCount == SendSlots || packet.Length > _maxDatagram || destination.Size > MaxDestination || !socket.TryAddReference())
        {
            return false;
        }

        var sqe = _ring!.NextSqe();
        if (sqe is null)
        {
            socket.ReleaseReference();
            return false;
        }

        // A send with a destination (sendto): the entry names the payload and the address, no msghdr to copy in.
        var slot = _freeSendSlots[--_freeSendCount];
        var name = _sendNames + (slot * SendNameSize);
        var data = _sendData + (slot * _maxDatagram);
        packet.CopyTo(new Span<byte>(data, _maxDatagram));
        destination.Buffer.Span[..destination.Size].CopyTo(new Span<byte>(name, MaxDestination));
        sqe->Opcode = OpSend;
        sqe->Fd = socket.Fd;
        sqe->Address = (ulong)data;
        sqe->Length = (uint)packet.Length;
        sqe->OpFlags = LinuxNative.MsgDontWait;
        sqe->Offset = (ulong)name;
        sqe->AddressLength = (ushort)destination.Size;
        sqe->UserData = (KindSend << KindShift) | (uint)slot;
        _sendOwners[slot] = socket;
        _unsubmittedSends[_unsubmittedCount++] = slot;
        _sendsInFlight++;
        _sendsQueued++;
        return true;
    }

    /// <summary>Called under <c>_commandLock</c> while not stopping, so the eventfd is still open.</summary>
    private void Wake()
    {
        ulong one = 1;
        LinuxNative.Write(_wakeFd, (byte*)&one, sizeof(ulong));
    }

    private void Run()
    {
        _ring = IoUringRing.TryCreate(RingEntries, CompletionEntries, out var error);
        _buffers = _ring is null ? null : ProvidedBuffers.TryCreate(_ring, ReceiveBuffers, ReceiveHeader + _maxDatagram, out error);
        if (_ring is null || _buffers is null)
        {
            _ring?.Dispose();
            StartError = error;
            _started.Set();
            return;
        }

        t_current = this;
        ArmWake();
        SchedulingError = _realtimePriority > 0 ? ThreadScheduling.TrySetRealtime(_realtimePriority) : 0;
        _started.Set();
        var stopDeadline = long.MaxValue;
        while (!_closingAll || _liveSockets > 0 || _sendsInFlight > 0)
        {
            if (_closingAll && Environment.TickCount64 > stopDeadline)
            {
                break; // the kernel did not end every request within the bound; the ring's close ends them
            }

            // Sends queued in the last round complete inline as this call submits them: wait for one completion more
            // than those, so an idle loop sleeps in the kernel instead of coming back for its own send reports. While
            // closing, the one more is a cancelled receive's last completion, if any is still due.
            var waitFor = (uint)_sendsInFlight + (!_closingAll || _liveSockets > 0 ? 1u : 0u);
            if (_ring.Enter(waitFor))
            {
                _enterFailures = 0;
            }
            else
            {
                _receiveErrors++;
                if (++_enterFailures > MaxEnterFailures)
                {
                    Thread.Sleep(1); // a kernel that keeps refusing must not spin this core
                }
            }

            _rounds++;
            ReleaseSubmittedSends();
            HandleCompletions();
            if (_stopping && !_closingAll)
            {
                CloseAll();
                stopDeadline = Environment.TickCount64 + 2000;
            }
        }

        t_current = null;
        foreach (var socket in _slots)
        {
            socket?.CloseHandle();
        }

        while (_commands.TryDequeue(out var late))
        {
            late.Socket.CloseHandle();
        }

        _ring.Dispose();
        _buffers.Dispose();
    }

    private void HandleCompletions()
    {
        var mark = PacketPathAllocations.Enabled ? GC.GetAllocatedBytesForCurrentThread() : 0;
        var packetsBefore = _packets;
        RetryUnarmed();
        var handled = 0;
        IoUringNative.Cqe* cqe;
        while ((cqe = _ring!.PeekCompletion()) is not null)
        {
            var userData = cqe->UserData;
            var result = cqe->Result;
            var flags = cqe->Flags;
            switch (userData >> KindShift)
            {
                case KindReceive:
                    OnReceived((int)(uint)userData, result, flags);
                    break;
                case KindSend:
                    OnSent((int)(uint)userData, result);
                    break;
                case KindWake:
                    OnWake();
                    break;
                default:
                    break; // a cancel's own completion: the cancelled receive reports the outcome
            }

            if (++handled % CompletionsPerAdvance == 0)
            {
                _ring.Advance();
                _buffers!.Publish();
            }
        }

        _ring.Advance();
        _buffers!.Publish();
        if (PacketPathAllocations.Enabled)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread() - mark;
            for (var i = packetsBefore; i < _packets; i++)
            {
                PacketPathAllocations.Add(i == packetsBefore ? allocated : 0);
            }
        }
    }

    private void OnReceived(int slot, int result, uint flags)
    {
        var socket = _slots[slot]!;
        if ((flags & CqeFlagBuffer) != 0)
        {
            var id = (ushort)(flags >> CqeBufferShift);
            if (result >= 0 && !socket.IsClosed)
            {
                socket.FailedReceives = 0;
                Deliver(socket, _buffers![id]);
            }

            _buffers!.Return(id);
        }
        else if (result < 0 && result != -ENoBufs && result != -ECanceled)
        {
            _receiveErrors++;
            socket.FailedReceives++;
        }

        if ((flags & CqeFlagMore) != 0)
        {
            return;
        }

        // The receive has ended: cancelled (close), out of buffers for a moment, or an error. Start it again unless
        // the socket is closing, in which case no request names its descriptor any more and it can be closed.
        socket.Armed = false;
        if (socket.IsClosed || _closingAll)
        {
            Release(socket);
        }
        else if (socket.FailedReceives > MaxFailedReceives)
        {
            // A receive that keeps failing at once must not spin this loop: it is tried again with the next round
            // that something else starts.
            socket.FailedReceives = 0;
            _unarmed.Add(socket);
        }
        else
        {
            ArmReceive(socket);
        }
    }

    private void Deliver(IoUringSocket socket, byte* buffer)
    {
        var header = (IoUringNative.RecvMsgOut*)buffer;
        if ((header->Flags & LinuxNative.MsgTrunc) != 0 || header->PayloadLength > (uint)_maxDatagram)
        {
            _truncated++;
            return;
        }

        var source = header->NameLength > NameSpace ? null : _sources.Copy(buffer + 16, (int)header->NameLength);
        if (source is null)
        {
            return;
        }

        _packets++;
        try
        {
            socket.Deliver(new ReadOnlySpan<byte>(buffer + ReceiveHeader, (int)header->PayloadLength), source);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug in packet handling must not stop this loop, which serves every socket sharded to it.
            _handlerErrors++;
        }
    }

    /// <summary>
    /// Once io_uring_enter has taken every entry, each send holds its own reference on its socket's file, so the
    /// handle references the loop took can go: a socket that another loop closes then closes at once, not at this
    /// loop's next round. Entries the kernel has not taken keep theirs until their completion.
    /// </summary>
    private void ReleaseSubmittedSends()
    {
        if (_unsubmittedCount == 0 || _ring!.Pending != 0)
        {
            return;
        }

        for (var i = 0; i < _unsubmittedCount; i++)
        {
            // A slot can be listed twice when a full queue made NextSqe submit early and the send completed and
            // its slot was taken again, all in one round: the first entry releases, the second finds nothing.
            var slot = _unsubmittedSends[i];
            _sendOwners[slot]?.ReleaseReference();
            _sendOwners[slot] = null;
        }

        _unsubmittedCount = 0;
    }

    private void OnSent(int slot, int result)
    {
        _sendOwners[slot]?.ReleaseReference(); // still held only if its entry was not taken at once
        _sendOwners[slot] = null;
        _freeSendSlots[_freeSendCount++] = slot;
        _sendsInFlight--;
        if (result < 0)
        {
            _sendErrors++;
        }
    }

    private void OnWake()
    {
        // A snapshot: a close that cannot get a submission entry is queued again and must wait for the next wake.
        for (var pending = _commands.Count; pending > 0 && _commands.TryDequeue(out var command); pending--)
        {
            if (command.Close)
            {
                Close(command.Socket);
            }
            else if (_closingAll)
            {
                command.Socket.CloseHandle();
            }
            else
            {
                Take(command.Socket);
            }
        }

        if (!_stopping)
        {
            ArmWake();
        }
    }

    private void Take(IoUringSocket socket)
    {
        var slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : _nextSlot++;
        if (slot >= _slots.Length)
        {
            Array.Resize(ref _slots, _slots.Length * 2);
        }

        _slots[slot] = socket;
        socket.Slot = slot;
        _liveSockets++;
        ArmReceive(socket);
    }

    private void Close(IoUringSocket socket)
    {
        if (socket.Slot < 0 || _slots[socket.Slot] != socket)
        {
            return; // already released (closed while the loop was stopping)
        }

        if (!socket.Armed)
        {
            _unarmed.Remove(socket);
            Release(socket);
            return;
        }

        if (socket.Cancelling)
        {
            return;
        }

        var sqe = _ring!.NextSqe();
        if (sqe is null)
        {
            _commands.Enqueue((socket, true)); // tried again on the next wake
            lock (_commandLock)
            {
                if (!_stopping)
                {
                    Wake();
                }
            }

            return;
        }

        sqe->Opcode = OpAsyncCancel;
        sqe->Fd = -1;
        sqe->Address = (KindReceive << KindShift) | (uint)socket.Slot;
        sqe->UserData = KindCancel << KindShift;
        socket.Cancelling = true;
    }

    private void CloseAll()
    {
        _closingAll = true;
        for (var i = 0; i < _nextSlot; i++)
        {
            if (_slots[i] is { } socket)
            {
                Close(socket);
            }
        }
    }

    private void Release(IoUringSocket socket)
    {
        _slots[socket.Slot] = null;
        _freeSlots.Push(socket.Slot);
        _liveSockets--;
        socket.CloseHandle();
    }

    private void ArmReceive(IoUringSocket socket)
    {
        var sqe = _ring!.NextSqe();
        if (sqe is null)
        {
            _unarmed.Add(socket); // the queue is full: tried again at the start of the next round
            return;
        }

        sqe->Opcode = OpRecvMsg;
        sqe->Flags = SqeBufferSelect;
        sqe->IoPrio = RecvMultishot;
        sqe->Fd = socket.Fd;
        sqe->Address = (ulong)_receiveHeader;
        sqe->Length = 1;
        sqe->BufferGroup = ProvidedBuffers.GroupId;
        sqe->UserData = (KindReceive << KindShift) | (uint)socket.Slot;
        socket.Armed = true;
        socket.Cancelling = false;
    }

    private void RetryUnarmed()
    {
        if (_wakeUnarmed && !_stopping)
        {
            ArmWake();
        }

        if (_unarmed.Count == 0)
        {
            return;
        }

        var count = _unarmed.Count;
        for (var i = 0; i < count; i++)
        {
            var socket = _unarmed[0];
            _unarmed.RemoveAt(0);
            if (socket.IsClosed)
            {
                Release(socket);
            }
            else
            {
                ArmReceive(socket);
            }
        }
    }

    private void ArmWake()
    {
        var sqe = _ring!.NextSqe();
        _wakeUnarmed = sqe is null; // tried again at the start of the next round
        if (sqe is null)
        {
            return;
        }

        sqe->Opcode = OpRead;
        sqe->Fd = _wakeFd;
        sqe->Address = (ulong)_wakeValue;
        sqe->Length = sizeof(ulong);
        sqe->UserData = KindWake << KindShift;
    }

    public void Dispose()
    {
        lock (_commandLock)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true; // before the wake: the loop must see it when the wake's completion arrives
            Wake();
        }

        if (Thread.CurrentThread == _thread)
        {
            return; // the loop stops after this round; its native memory is left to the process
        }

        _thread.Join();
        while (_commands.TryDequeue(out var late))
        {
            late.Socket.CloseHandle();
        }

        FreeNative();
    }

    private void FreeNative()
    {
        LinuxNative.Close(_wakeFd);
        NativeMemory.Free(_wakeValue);
        NativeMemory.Free(_receiveHeader);
        NativeMemory.Free(_sendNames);
        NativeMemory.AlignedFree(_sendData);
        _started.Dispose();
    }
}
