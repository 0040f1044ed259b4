using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using MediaRelay.Transport.Native;
using static MediaRelay.Transport.Native.IoUringNative;

namespace MediaRelay.Transport.IoUring;

/// <summary>
/// How other threads reach an io_uring loop: a queue of commands (take a socket, close a socket) and an eventfd on
/// which the loop's ring keeps one read, so a posted command wakes the loop. One lock orders posting against
/// stopping, so nothing is posted, and the eventfd is never written, once the loop is told to stop; it is never
/// taken on the packet path. A post writes the eventfd only when no wake is pending yet: a call's four sockets
/// wake the loop once, not four times (each write of a sleeping loop's eventfd costs the poster a wake-up).
/// </summary>
internal sealed unsafe class LoopCommands : IDisposable
{
    private readonly ConcurrentQueue<(IoUringSocket Socket, bool Close)> _queue = new();
    private readonly Lock _lock = new();
    private readonly int _eventFd;
    private readonly ulong* _value;
    private volatile bool _stopped;
    private int _wakePending;

    public LoopCommands()
    {
        _eventFd = LinuxNative.EventFd(0, LinuxNative.EfdCloexec); // blocking: the ring polls it
        if (_eventFd < 0)
        {
            throw new InvalidOperationException($"eventfd failed with errno {Marshal.GetLastPInvokeError()}");
        }

        _value = (ulong*)NativeMemory.AllocZeroed(sizeof(ulong));
    }

    /// <summary>True once <see cref="Stop"/> has run: the loop is to close everything and end.</summary>
    public bool Stopped => _stopped;

    /// <summary>Commands waiting; the loop handles this many per wake, so one that is posted again waits for the next.</summary>
    public int Count => _queue.Count;

    /// <summary>Posts a command and wakes the loop; false once the loop is stopping.</summary>
    public bool TryPost(IoUringSocket socket, bool close)
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return false;
            }

            _queue.Enqueue((socket, close));
            // The loop clears the flag before it takes the queue (BeginWake): either it sees this command, or this
            // post sees the flag clear and wakes it again.
            if (Interlocked.Exchange(ref _wakePending, 1) == 0)
            {
                Wake();
            }

            return true;
        }
    }

    /// <summary>Tells the loop to stop (the flag before the wake, so the loop sees it); false if already told.</summary>
    public bool Stop()
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return false;
            }

            _stopped = true;
            Wake();
            return true;
        }
    }

    /// <summary>The loop, woken, before it takes the queue: a command posted from now on wakes it again.</summary>
    public void BeginWake() => Interlocked.Exchange(ref _wakePending, 0);

    public bool TryTake(out (IoUringSocket Socket, bool Close) command) => _queue.TryDequeue(out command);

    /// <summary>Fills the read that wakes the loop; false when the ring has no free entry (try again next round).</summary>
    public bool PrepareWakeRead(IoUringRing ring, ulong userData)
    {
        var sqe = ring.NextSqe();
        if (sqe is null)
        {
            return false;
        }

        sqe->Opcode = OpRead;
        sqe->Fd = _eventFd;
        sqe->Address = (ulong)_value;
        sqe->Length = sizeof(ulong);
        sqe->UserData = userData;
        return true;
    }

    private void Wake()
    {
        ulong one = 1;
        LinuxNative.Write(_eventFd, (byte*)&one, sizeof(ulong));
    }

    /// <summary>Called after the loop has ended: closes what was posted too late, then the eventfd.</summary>
    public void Dispose()
    {
        while (_queue.TryDequeue(out var late))
        {
            late.Socket.CloseHandle();
        }

        LinuxNative.Close(_eventFd);
        NativeMemory.Free(_value);
    }
}
