using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using MediaRelay.Transport.Native;
using MediaRelay.Transport.Udp;

namespace MediaRelay.Transport.Epoll;

/// <summary>
/// One receive loop: a dedicated thread, an epoll set, and the media sockets sharded to it. When a socket is
/// readable the loop drains it with recvmmsg in batches and hands every datagram to the socket's receiver inline,
/// which relays it: no thread-pool hop, no task, no allocation between arrival and send. Packets relayed while a
/// batch is delivered are not sent one by one: they are queued (a pointer into the receive buffer, no copy) and sent
/// with one sendmmsg per outgoing socket once the batch is done, before the next recvmmsg reuses the buffers.
///
/// Threading rules:
/// - Only the loop thread receives, reads the batch buffers and closes file descriptors.
/// - Register and Unregister may be called from any thread; they take <c>_registration</c>, which the loop thread
///   takes only once per epoll_wait round, to free the slots of closed sockets (never per packet).
/// - An epoll event carries a slot number, not a descriptor; a slot is reused only after the loop has closed its
///   socket, so a stale event can never reach a new socket that was given the same descriptor number.
/// - The send queue belongs to the loop thread: only a Send made on this thread while it delivers a batch, for a
///   packet that lies in this loop's receive buffers, is queued; every other Send is a direct sendto.
/// - Counters are written by the loop thread only and read by anyone.
/// </summary>
internal sealed unsafe class EpollLoop : IPacketLoop
{
    public const int BatchSize = 32;
    private const int MaxEvents = 256;
    private const int MaxBatchesPerWakeup = 8;
    private const ulong WakeToken = ulong.MaxValue;

    private readonly int _epoll;
    private readonly int _wakeFd;
    private readonly int _maxDatagram;
    private readonly int _realtimePriority;
    private readonly ManualResetEventSlim _started = new();
    private readonly Thread _thread;
    private readonly Lock _registration = new();
    private readonly Stack<int> _freeSlots = new();
    private readonly ConcurrentQueue<EpollSocket> _pendingClose = new();
    private int _wakePending;
    private readonly SourceAddresses _sources = new();
    private readonly byte* _events;
    private readonly LinuxNative.MMsgHdr* _messages;
    private readonly LinuxNative.IoVec* _iovs;
    private readonly byte* _data;
    private readonly byte* _names;
    private readonly LinuxNative.MMsgHdr* _sendMessages;
    private readonly LinuxNative.IoVec* _sendIovs;
    private readonly byte* _sendNames;
    private readonly EpollSocket?[] _sendSockets = new EpollSocket?[BatchSize];
    private int _sendCount;
    private long _sendCalls;
    private long _sendErrors;

    [ThreadStatic]
    private static EpollLoop? t_delivering;
    private EpollSocket?[] _slots = new EpollSocket?[256];
    private int _nextSlot;
    private volatile bool _stopping;
    private long _packets;
    private long _batches;
    private long _wakeups;
    private long _truncated;
    private long _receiveErrors;
    private long _handlerErrors;

    public EpollLoop(int index, int maxDatagram, int realtimePriority = 0)
    {
        Index = index;
        _realtimePriority = realtimePriority;
        _maxDatagram = maxDatagram;
        _epoll = LinuxNative.EpollCreate1(LinuxNative.EpollCloexec);
        _wakeFd = LinuxNative.EventFd(0, LinuxNative.EfdNonblock | LinuxNative.EfdCloexec);
        if (_epoll < 0 || _wakeFd < 0)
        {
            throw new InvalidOperationException($"epoll_create1/eventfd failed with errno {Marshal.GetLastPInvokeError()}");
        }

        _events = (byte*)NativeMemory.AllocZeroed((nuint)(MaxEvents * LinuxNative.EpollEventSize));
        _messages = (LinuxNative.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(BatchSize * sizeof(LinuxNative.MMsgHdr)));
        _iovs = (LinuxNative.IoVec*)NativeMemory.AllocZeroed((nuint)(BatchSize * sizeof(LinuxNative.IoVec)));
        _data = (byte*)NativeMemory.AlignedAlloc((nuint)(BatchSize * maxDatagram), 64);
        _names = (byte*)NativeMemory.AllocZeroed((nuint)(BatchSize * LinuxNative.SockaddrStorageSize));
        _sendMessages = (LinuxNative.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(BatchSize * sizeof(LinuxNative.MMsgHdr)));
        _sendIovs = (LinuxNative.IoVec*)NativeMemory.AllocZeroed((nuint)(BatchSize * sizeof(LinuxNative.IoVec)));
        _sendNames = (byte*)NativeMemory.AllocZeroed((nuint)(BatchSize * LinuxNative.SockaddrStorageSize));
        for (var i = 0; i < BatchSize; i++)
        {
            _sendMessages[i].Iov = &_sendIovs[i];
            _sendMessages[i].IovLength = 1;
            _sendMessages[i].Name = _sendNames + (i * LinuxNative.SockaddrStorageSize);
            _iovs[i].Base = _data + (i * maxDatagram);
            _iovs[i].Length = (nuint)maxDatagram;
            _messages[i].Iov = &_iovs[i];
            _messages[i].IovLength = 1;
            _messages[i].Name = _names + (i * LinuxNative.SockaddrStorageSize);
        }

        var wake = stackalloc byte[16];
        LinuxNative.WriteEpollEvent(wake, LinuxNative.EpollIn, WakeToken);
        LinuxNative.EpollCtl(_epoll, LinuxNative.EpollCtlAdd, _wakeFd, wake);

        _thread = new Thread(Run) { IsBackground = true, Name = $"mr-epoll-{index}" };
        _thread.Start();
        _started.Wait();
    }

    public int Index { get; }

    public int SocketCount { get; private set; }

    public long Packets => Volatile.Read(ref _packets);

    public long Batches => Volatile.Read(ref _batches);

    public long Wakeups => Volatile.Read(ref _wakeups);

    public long Truncated => Volatile.Read(ref _truncated);

    public long ReceiveErrors => Volatile.Read(ref _receiveErrors);

    /// <summary>Packets whose handler threw (a bug): counted, and the loop goes on.</summary>
    public long HandlerErrors => Volatile.Read(ref _handlerErrors);

    /// <summary>sendmmsg calls made for queued packets.</summary>
    public long SendCalls => Volatile.Read(ref _sendCalls);

    /// <summary>Queued packets the kernel refused.</summary>
    public long SendErrors => Volatile.Read(ref _sendErrors);

    /// <summary>The loop whose batch the calling thread is delivering, or null on any other thread.</summary>
    public static EpollLoop? Delivering => t_delivering;

    /// <summary>
    /// Queues a packet for the sendmmsg that follows the batch. False when the packet is not in this loop's receive
    /// buffers (it must be sent now); the queue is flushed first when full.
    /// </summary>
    public bool TryQueueSend(EpollSocket socket, ReadOnlySpan<byte> packet, SocketAddress destination)
    {
        fixed (byte* data = packet)
        {
            if (data < _data || data + packet.Length > _data + (BatchSize * _maxDatagram) || destination.Size > LinuxNative.SockaddrStorageSize)
            {
                return false;
            }

            if (_sendCount == BatchSize)
            {
                FlushSends();
            }

            var i = _sendCount++;
            _sendIovs[i].Base = data;
            _sendIovs[i].Length = (nuint)packet.Length;
            destination.Buffer.Span[..destination.Size].CopyTo(new Span<byte>(_sendMessages[i].Name, LinuxNative.SockaddrStorageSize));
            _sendMessages[i].NameLength = (uint)destination.Size;
            _sendSockets[i] = socket;
            return true;
        }
    }

    /// <summary>Sends the queue with one sendmmsg per run of packets that leave from the same socket.</summary>
    private void FlushSends()
    {
        var start = 0;
        while (start < _sendCount)
        {
            var socket = _sendSockets[start]!;
            var end = start + 1;
            while (end < _sendCount && ReferenceEquals(_sendSockets[end], socket))
            {
                end++;
            }

            var count = end - start;
            var sent = socket.SendQueued(_sendMessages + start, count);
            _sendCalls++;
            if (sent < count)
            {
                _sendErrors += count - Math.Max(sent, 0);
            }

            start = end;
        }

        Array.Clear(_sendSockets, 0, _sendCount);
        _sendCount = 0;
    }

    public bool TryRegister(EpollSocket socket)
    {
        lock (_registration)
        {
            if (_stopping)
            {
                return false;
            }

            var slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : _nextSlot++;
            if (slot >= _slots.Length)
            {
                var grown = new EpollSocket?[_slots.Length * 2];
                Array.Copy(_slots, grown, _slots.Length);
                Volatile.Write(ref _slots, grown);
            }

            Volatile.Write(ref _slots[slot], socket);
            socket.Slot = slot;
            var ev = stackalloc byte[16];
            LinuxNative.WriteEpollEvent(ev, LinuxNative.EpollIn, (ulong)slot);
            if (LinuxNative.EpollCtl(_epoll, LinuxNative.EpollCtlAdd, socket.Fd, ev) != 0)
            {
                _slots[slot] = null;
                _freeSlots.Push(slot);
                return false;
            }

            SocketCount++;
            return true;
        }
    }

    /// <summary>Stops delivery at once; the loop closes the descriptor after its current round.</summary>
    public void Unregister(EpollSocket socket)
    {
        lock (_registration)
        {
            LinuxNative.EpollCtl(_epoll, LinuxNative.EpollCtlDel, socket.Fd, null);
            if (_stopping)
            {
                socket.CloseHandle();
                return;
            }
        }

        _pendingClose.Enqueue(socket);
        // One wake for a burst of closes (a call's four sockets): ClosePending clears the flag before it drains.
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            Wake();
        }
    }

    private void Wake()
    {
        ulong one = 1;
        LinuxNative.Write(_wakeFd, (byte*)&one, sizeof(ulong));
    }

    /// <summary>0, or the errno of the refused real-time priority.</summary>
    public int SchedulingError { get; private set; }

    private void Run()
    {
        SchedulingError = _realtimePriority > 0 ? ThreadScheduling.TrySetRealtime(_realtimePriority) : 0;
        _started.Set();
        while (!_stopping)
        {
            var count = LinuxNative.EpollWait(_epoll, _events, MaxEvents, 1000);
            if (count <= 0)
            {
                continue; // timeout or EINTR
            }

            _wakeups++;
            var slots = Volatile.Read(ref _slots);
            for (var i = 0; i < count; i++)
            {
                var (events, data) = LinuxNative.ReadEpollEvent(_events + (i * LinuxNative.EpollEventSize));
                if (data == WakeToken)
                {
                    ulong drained;
                    LinuxNative.Read(_wakeFd, (byte*)&drained, sizeof(ulong));
                    continue;
                }

                var socket = data < (ulong)slots.Length ? Volatile.Read(ref slots[(int)data]) : null;
                if (socket is null || socket.IsClosed)
                {
                    continue;
                }

                if ((events & (LinuxNative.EpollIn | LinuxNative.EpollErr)) != 0)
                {
                    Drain(socket);
                }
            }

            ClosePending();
        }

        ClosePending();
    }

    private void Drain(EpollSocket socket)
    {
        for (var round = 0; round < MaxBatchesPerWakeup; round++)
        {
            for (var i = 0; i < BatchSize; i++)
            {
                _messages[i].NameLength = LinuxNative.SockaddrStorageSize;
                _messages[i].Flags = 0;
            }

            var received = LinuxNative.RecvMMsg(socket.Fd, _messages, BatchSize, LinuxNative.MsgDontWait, null);
            if (received <= 0)
            {
                if (received < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != LinuxNative.EAgain && errno != LinuxNative.EIntr)
                    {
                        _receiveErrors++;
                    }
                }

                return;
            }

            _batches++;
            _packets += received;
            var mark = PacketPathAllocations.Enabled ? GC.GetAllocatedBytesForCurrentThread() : 0;
            t_delivering = this;
            for (var i = 0; i < received; i++)
            {
                ref var message = ref _messages[i];
                if ((message.Flags & LinuxNative.MsgTrunc) != 0)
                {
                    _truncated++;
                    continue;
                }

                var source = _sources.Copy(message.Name, (int)message.NameLength);
                if (source is null)
                {
                    continue;
                }

                try
                {
                    socket.Deliver(new ReadOnlySpan<byte>(_data + (i * _maxDatagram), (int)message.Length), source);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A bug in packet handling must not stop this loop, which serves every socket sharded to it.
                    _handlerErrors++;
                }
            }

            t_delivering = null;
            if (_sendCount > 0)
            {
                FlushSends();
            }

            if (PacketPathAllocations.Enabled)
            {
                var allocated = GC.GetAllocatedBytesForCurrentThread() - mark;
                for (var i = 0; i < received; i++)
                {
                    PacketPathAllocations.Add(i == 0 ? allocated : 0);
                }
            }

            if (received < BatchSize)
            {
                return;
            }
        }
    }

    private void ClosePending()
    {
        Interlocked.Exchange(ref _wakePending, 0);
        if (_pendingClose.IsEmpty)
        {
            return;
        }

        lock (_registration)
        {
            while (_pendingClose.TryDequeue(out var socket))
            {
                socket.CloseHandle();
                _slots[socket.Slot] = null;
                _freeSlots.Push(socket.Slot);
                SocketCount--;
            }
        }
    }

    public void Dispose()
    {
        lock (_registration)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
        }

        Wake();
        _thread.Join();
        foreach (var socket in _slots)
        {
            socket?.CloseHandle();
        }

        LinuxNative.Close(_wakeFd);
        LinuxNative.Close(_epoll);
        NativeMemory.Free(_events);
        NativeMemory.Free(_messages);
        NativeMemory.Free(_iovs);
        NativeMemory.AlignedFree(_data);
        NativeMemory.Free(_names);
        NativeMemory.Free(_sendMessages);
        NativeMemory.Free(_sendIovs);
        NativeMemory.Free(_sendNames);
        _started.Dispose();
    }
}
