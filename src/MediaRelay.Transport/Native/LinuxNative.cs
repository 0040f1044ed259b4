using System.Runtime.InteropServices;

namespace MediaRelay.Transport.Native;

/// <summary>
/// The Linux system calls of the native transports (epoll(7), recvmmsg(2), sendmmsg(2), sendto(2), eventfd(2)), with the x86-64 and
/// arm64 layouts of their structures. Errors come back as -1 and errno, never as exceptions.
/// </summary>
internal static unsafe partial class LinuxNative
{
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;
    public const uint EpollIn = 0x001;
    public const uint EpollErr = 0x008;
    public const uint EpollHup = 0x010;
    public const int EpollCloexec = 0x80000;
    public const int EfdNonblock = 0x800;
    public const int EfdCloexec = 0x80000;
    public const int MsgDontWait = 0x40;
    public const int MsgTrunc = 0x20;
    public const int EAgain = 11;
    public const int EIntr = 4;
    public const int SockaddrStorageSize = 128;

    /// <summary>True on the architectures whose structure layouts this file knows.</summary>
    public static bool IsSupported =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>struct epoll_event is packed (12 bytes) on x86-64 and naturally aligned (16 bytes) on arm64.</summary>
    public static int EpollEventSize => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    public static void WriteEpollEvent(byte* slot, uint events, ulong data)
    {
        *(uint*)slot = events;
        var dataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;
        *(ulong*)(slot + dataOffset) = data;
    }

    public static (uint Events, ulong Data) ReadEpollEvent(byte* slot)
    {
        var dataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;
        return (*(uint*)slot, *(ulong*)(slot + dataOffset));
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary>struct mmsghdr: a struct msghdr followed by the received length.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MMsgHdr
    {
        public byte* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
        private readonly int _msghdrTailPadding; // struct msghdr is 56 bytes: msg_len sits at offset 56
        public uint Length;
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, byte* events, int maxEvents, int timeout);

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int RecvMMsg(int fd, MMsgHdr* messages, uint length, int flags, void* timeout);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static partial int SendMMsg(int fd, MMsgHdr* messages, uint length, int flags);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(int fd, byte* buffer, nuint length, int flags, byte* address, uint addressLength);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint length);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);
}
