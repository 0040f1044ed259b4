using System.Runtime.InteropServices;
using MediaRelay.Transport.Native;
using static MediaRelay.Transport.Native.IoUringNative;

namespace MediaRelay.Transport.IoUring;

/// <summary>
/// One io_uring instance: the mapped submission and completion queues. Not thread-safe: it is created on, and used
/// only by, the thread that owns it (the ring is set up single-issuer with deferred task work, so the kernel runs
/// completions only when that thread enters the ring).
/// </summary>
internal sealed unsafe class IoUringRing : IDisposable
{
    private readonly int _fd;
    private readonly byte* _rings;
    private readonly nuint _ringsSize;
    private readonly Sqe* _sqes;
    private readonly nuint _sqesSize;
    private readonly uint* _sqHead;
    private readonly uint* _sqTail;
    private readonly uint _sqMask;
    private readonly uint _sqEntries;
    private readonly uint* _cqHead;
    private readonly uint* _cqTail;
    private readonly uint _cqMask;
    private readonly Cqe* _cqes;
    private uint _sqLocalTail;
    private uint _cqLocalHead;

    private IoUringRing(int fd, in Params p, byte* rings, nuint ringsSize, Sqe* sqes, nuint sqesSize)
    {
        _fd = fd;
        _rings = rings;
        _ringsSize = ringsSize;
        _sqes = sqes;
        _sqesSize = sqesSize;
        _sqHead = (uint*)(rings + p.SqOff.Head);
        _sqTail = (uint*)(rings + p.SqOff.Tail);
        _sqMask = *(uint*)(rings + p.SqOff.RingMask);
        _sqEntries = *(uint*)(rings + p.SqOff.RingEntries);
        _cqHead = (uint*)(rings + p.CqOff.Head);
        _cqTail = (uint*)(rings + p.CqOff.Tail);
        _cqMask = *(uint*)(rings + p.CqOff.RingMask);
        _cqes = (Cqe*)(rings + p.CqOff.Cqes);
        _sqLocalTail = *_sqTail;
        _cqLocalHead = *_cqHead;

        // Submission entry i always sits in slot i of the indirection array.
        var array = (uint*)(rings + p.SqOff.Array);
        for (uint i = 0; i < _sqEntries; i++)
        {
            array[i] = i;
        }
    }

    public int Fd => _fd;

    /// <summary>
    /// Sets up a ring on the calling thread, which becomes its only submitter. Null, with the reason, when the kernel
    /// refuses (io_uring disabled by sysctl or a seccomp filter, kernel older than 6.1, locked-memory limit).
    /// </summary>
    public static IoUringRing? TryCreate(uint entries, uint completionEntries, out string? error)
    {
        var p = default(Params);
        p.Flags = SetupCqSize | SetupSubmitAll | SetupCoopTaskRun | SetupSingleIssuer | SetupDeferTaskRun;
        p.CqEntries = completionEntries;
        var fd = Setup(entries, &p);
        if (fd < 0)
        {
            error = $"io_uring_setup failed with errno {Marshal.GetLastPInvokeError()}";
            return null;
        }

        if ((p.Features & FeatSingleMmap) == 0 || (p.Features & FeatNoDrop) == 0)
        {
            LinuxNative.Close(fd);
            error = "the kernel's io_uring lacks single-mmap or no-drop completion queues (Linux 5.5 and later have both)";
            return null;
        }

        var sqSize = p.SqOff.Array + (p.SqEntries * sizeof(uint));
        var cqSize = p.CqOff.Cqes + (p.CqEntries * (uint)sizeof(Cqe));
        var ringsSize = (nuint)Math.Max(sqSize, cqSize);
        var rings = (byte*)Mmap(null, ringsSize, ProtRead | ProtWrite, MapShared | MapPopulate, fd, OffSqRing);
        if (rings == (byte*)-1)
        {
            error = $"mmap of the io_uring queues failed with errno {Marshal.GetLastPInvokeError()}";
            LinuxNative.Close(fd);
            return null;
        }

        var sqesSize = (nuint)(p.SqEntries * (uint)sizeof(Sqe));
        var sqes = (Sqe*)Mmap(null, sqesSize, ProtRead | ProtWrite, MapShared | MapPopulate, fd, OffSqes);
        if (sqes == (Sqe*)-1)
        {
            error = $"mmap of the io_uring entries failed with errno {Marshal.GetLastPInvokeError()}";
            Munmap(rings, ringsSize);
            LinuxNative.Close(fd);
            return null;
        }

        error = null;
        return new IoUringRing(fd, p, rings, ringsSize, sqes, sqesSize);
    }

    /// <summary>Submissions written but not yet handed to the kernel.</summary>
    public uint Pending => _sqLocalTail - Volatile.Read(ref *_sqHead);

    /// <summary>
    /// A cleared submission entry to fill in. When the queue is full the pending entries are submitted first; null
    /// only if the kernel takes none of them (then the caller drops what it wanted to submit).
    /// </summary>
    public Sqe* NextSqe()
    {
        if (Pending >= _sqEntries)
        {
            Enter(0);
            if (Pending >= _sqEntries)
            {
                return null;
            }
        }

        var sqe = &_sqes[_sqLocalTail & _sqMask];
        *sqe = default;
        _sqLocalTail++;
        return sqe;
    }

    /// <summary>
    /// Hands every written entry to the kernel, runs the completions it has for this thread, and waits until at least
    /// <paramref name="waitFor"/> completions are ready. Returns false on an error other than an interrupted wait.
    /// </summary>
    public bool Enter(uint waitFor)
    {
        Volatile.Write(ref *_sqTail, _sqLocalTail);
        var result = IoUringNative.Enter(_fd, Pending, waitFor, EnterGetEvents);
        if (result >= 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is EIntr or EAgain or EBusy;
    }

    /// <summary>The next completion, or null when there is none; <see cref="Advance"/> releases the ones read.</summary>
    public Cqe* PeekCompletion()
    {
        return _cqLocalHead == Volatile.Read(ref *_cqTail) ? null : &_cqes[_cqLocalHead++ & _cqMask];
    }

    /// <summary>Gives the completion slots read so far back to the kernel.</summary>
    public void Advance() => Volatile.Write(ref *_cqHead, _cqLocalHead);

    public void Dispose()
    {
        Munmap(_sqes, _sqesSize);
        Munmap(_rings, _ringsSize);
        LinuxNative.Close(_fd);
    }
}
