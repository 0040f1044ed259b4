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
/// becomes a send entry in this ring (<see cref="SendSlots"/>). One io_uring_enter submits all of a round's sends and
/// waits for the next completions, so a round costs one system call however many packets it carries.
///
/// Threading rules:
/// - Only the loop thread touches the ring, the buffers, the send slots and the socket slots (the ring is set up
///   single-issuer). Other threads reach the loop through <see cref="LoopCommands"/>: a command queue and an eventfd
///   the ring keeps a read on; nothing is posted once the loop is told to stop.
/// - A socket's descriptor is closed only by its loop, after the kernel has ended the socket's receive (the cancel's
///   final completion), so no completion can ever name a reused descriptor. Closing never waits: only the handle is
///   closed, and the descriptor goes at its last reference.
/// - A queued send holds a reference on its socket's handle until the kernel has taken the entry (the request then
///   holds the file), so a socket closed by another loop cannot give its descriptor number away in between.
/// - Counters are written by the loop thread only and read by anyone.
/// </summary>
internal sealed unsafe class IoUringLoop : IPacketLoop
{
    private const uint RingEntries = 4096;
    private const uint CompletionEntries = 32768;
    private const int ReceiveBuffers = 4096;
    private const int SendSlotCount = 2048;
    private const int NameSpace = 32; // room for a sockaddr_in6 (28 bytes) in every receive buffer
    private const int ReceiveHeader = 16 + NameSpace; // io_uring_recvmsg_out, then the name, then the payload
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
    private readonly LoopCommands _commands = new();
    private readonly SourceAddresses _sources = new();
    private readonly Stack<int> _freeSlots = new();
    private readonly List<IoUringSocket> _unarmed = [];
    private readonly SendSlots _sends;
    private readonly LinuxNative.MMsgHdr* _receiveHeader;
    private IoUringRing? _ring;
    private ProvidedBuffers? _buffers;
    private IoUringSocket?[] _slots = new IoUringSocket?[256];
    private int _nextSlot;
    private int _liveSockets;
    private bool _closingAll;
    private bool _wakeUnarmed;
    private int _enterFailures;
    private long _packets;
    private long _rounds;
    private long _truncated;
    private long _receiveErrors;
    private long _handlerErrors;
    private long _sendErrors;

    public IoUringLoop(int index, int maxDatagram, int realtimePriority = 0)
    {
        _realtimePriority = realtimePriority;
        _maxDatagram = maxDatagram;
        _receiveHeader = (LinuxNative.MMsgHdr*)NativeMemory.AllocZeroed((nuint)sizeof(LinuxNative.MMsgHdr));
        _receiveHeader->NameLength = NameSpace; // tells the multishot receive how much room to leave for the source
        _sends = new SendSlots(SendSlotCount, maxDatagram);
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

    /// <summary>Hands a bound socket to the loop, which starts its receive. False when the loop is stopping.</summary>
    public bool TryRegister(IoUringSocket socket) => _commands.TryPost(socket, close: false);

    /// <summary>
    /// Stops delivery at once; the loop cancels the receive and then closes the descriptor. Once the loop is stopping
    /// there is nothing to do: its way out closes every socket it holds or was handed.
    /// </summary>
    public void Unregister(IoUringSocket socket) => _commands.TryPost(socket, close: true);

    /// <summary>
    /// Queues a send in this loop's ring (the packet is copied into a send slot). False when no slot is free or the
    /// socket is closing: the caller then sends directly.
    /// </summary>
    public bool TryQueueSend(IoUringSocket socket, ReadOnlySpan<byte> packet, SocketAddress destination) =>
        _sends.TryQueue(_ring!, socket, packet, destination, KindSend << KindShift);

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
        while (!_closingAll || _liveSockets > 0 || _sends.InFlight > 0)
        {
            if (_closingAll && Environment.TickCount64 > stopDeadline)
            {
                break; // the kernel did not end every request within the bound; the ring's close ends them
            }

            // Sends queued in the last round complete inline as this call submits them: wait for one completion more
            // than those, so an idle loop sleeps in the kernel instead of coming back for its own send reports. While
            // closing, the one more is a cancelled receive's last completion, if any is still due.
            var waitFor = (uint)_sends.InFlight + (!_closingAll || _liveSockets > 0 ? 1u : 0u);
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
            _sends.ReleaseSubmitted(_ring);
            HandleCompletions();
            if (_commands.Stopped && !_closingAll)
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

        while (_commands.TryTake(out var late))
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

    private void OnSent(int slot, int result)
    {
        _sends.Complete(slot);
        if (result < 0)
        {
            _sendErrors++;
        }
    }

    private void OnWake()
    {
        _commands.BeginWake();
        // A snapshot: a close that cannot get a submission entry is queued again and must wait for the next wake.
        for (var pending = _commands.Count; pending > 0 && _commands.TryTake(out var command); pending--)
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

        if (!_commands.Stopped)
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
            _commands.TryPost(socket, close: true); // tried again on the next wake (the loop's exit closes it if stopping)
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
        if (_wakeUnarmed && !_commands.Stopped)
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

    private void ArmWake() => _wakeUnarmed = !_commands.PrepareWakeRead(_ring!, KindWake << KindShift);

    public void Dispose()
    {
        if (!_commands.Stop())
        {
            return;
        }

        if (Thread.CurrentThread == _thread)
        {
            return; // the loop stops after this round; its native memory is left to the process
        }

        _thread.Join();
        FreeNative();
    }

    private void FreeNative()
    {
        _commands.Dispose();
        NativeMemory.Free(_receiveHeader);
        _sends.Dispose();
        _started.Dispose();
    }
}
