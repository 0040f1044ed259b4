using System.Runtime.InteropServices;

namespace MediaRelay.LoadGen.Media;

/// <summary>
/// Linux epoll, so one receive thread can wait on a thousand UDP sockets without Socket.Select's allocations or
/// the thread pool's dispatch delay in the latency figures. struct epoll_event is packed (12 bytes) on x86-64 and
/// naturally aligned (16 bytes) elsewhere, so events are read from raw memory with the right stride.
/// </summary>
internal static partial class Epoll
{
    public const uint EpollIn = 0x001;
    private const int EpollCtlAdd = 1;

    public static int EventStride => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    public static int Create()
    {
        var fd = EpollCreate1(0);
        if (fd < 0)
        {
            throw new InvalidOperationException("epoll_create1 failed, errno " + Marshal.GetLastPInvokeError());
        }

        return fd;
    }

    public static unsafe void Add(int epollFd, int socketFd, ulong token)
    {
        var stride = EventStride;
        var ev = stackalloc byte[16];
        *(uint*)ev = EpollIn;
        *(ulong*)(ev + (stride == 12 ? 4 : 8)) = token;
        if (EpollCtl(epollFd, EpollCtlAdd, socketFd, ev) != 0)
        {
            throw new InvalidOperationException("epoll_ctl failed, errno " + Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Waits; returns the number of ready events written to <paramref name="events"/> (0 on EINTR/timeout).</summary>
    public static unsafe int Wait(int epollFd, byte* events, int maxEvents, int timeoutMs)
    {
        var count = EpollWait(epollFd, events, maxEvents, timeoutMs);
        return count < 0 ? 0 : count;
    }

    public static unsafe ulong TokenAt(byte* events, int index)
    {
        var stride = EventStride;
        return *(ulong*)(events + (index * stride) + (stride == 12 ? 4 : 8));
    }

    public static void Close(int fd) => CloseFd(fd);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static unsafe partial int EpollCtl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static unsafe partial int EpollWait(int epfd, byte* events, int maxevents, int timeout);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseFd(int fd);
}
