using System.Runtime.InteropServices;

namespace MediaRelay.Transport.Native;

/// <summary>
/// The io_uring system calls (io_uring_setup(2), io_uring_enter(2), io_uring_register(2), through syscall(2)) and the
/// kernel ABI they share with user space: the setup parameters, the 64-byte submission entry, the 16-byte completion
/// entry, the provided-buffer ring and the multishot recvmsg output header. Errors come back as -1 and errno.
/// The numbers and layouts are those of linux/io_uring.h; they are the same on x86-64 and arm64.
/// </summary>
internal static unsafe partial class IoUringNative
{
    private const long SysSetup = 425;
    private const long SysEnter = 426;
    private const long SysRegister = 427;

    public const uint SetupCqSize = 1u << 3;
    public const uint SetupSubmitAll = 1u << 7;
    public const uint SetupCoopTaskRun = 1u << 8;
    public const uint SetupSingleIssuer = 1u << 12;
    public const uint SetupDeferTaskRun = 1u << 13;

    public const uint FeatSingleMmap = 1u << 0;
    public const uint FeatNoDrop = 1u << 1;

    public const uint EnterGetEvents = 1u << 0;

    public const byte OpRecvMsg = 10;
    public const byte OpAsyncCancel = 14;
    public const byte OpRead = 22;
    public const byte OpSend = 26;

    /// <summary>IOSQE_BUFFER_SELECT: the receive takes a buffer from the group named in buf_group.</summary>
    public const byte SqeBufferSelect = 1 << 5;

    /// <summary>IORING_RECV_MULTISHOT, in the entry's ioprio field: one request, one completion per datagram.</summary>
    public const ushort RecvMultishot = 1 << 1;

    public const uint CqeFlagBuffer = 1u << 0;
    public const uint CqeFlagMore = 1u << 1;
    public const int CqeBufferShift = 16;

    public const uint RegisterPbufRing = 22;

    public const long OffSqRing = 0;
    public const long OffSqes = 0x10000000;

    public const int ProtRead = 1;
    public const int ProtWrite = 2;
    public const int MapShared = 1;
    public const int MapPopulate = 0x8000;

    public const int EIntr = 4;
    public const int EAgain = 11;
    public const int EBusy = 16;
    public const int ENoBufs = 105;
    public const int ECanceled = 125;

    [StructLayout(LayoutKind.Sequential)]
    public struct SqRingOffsets
    {
        public uint Head;
        public uint Tail;
        public uint RingMask;
        public uint RingEntries;
        public uint Flags;
        public uint Dropped;
        public uint Array;
        public uint Resv1;
        public ulong UserAddr;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CqRingOffsets
    {
        public uint Head;
        public uint Tail;
        public uint RingMask;
        public uint RingEntries;
        public uint Overflow;
        public uint Cqes;
        public uint Flags;
        public uint Resv1;
        public ulong UserAddr;
    }

    /// <summary>struct io_uring_params (120 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Params
    {
        public uint SqEntries;
        public uint CqEntries;
        public uint Flags;
        public uint SqThreadCpu;
        public uint SqThreadIdle;
        public uint Features;
        public uint WqFd;
        public fixed uint Resv[3];
        public SqRingOffsets SqOff;
        public CqRingOffsets CqOff;
    }

    /// <summary>struct io_uring_sqe (64 bytes), with the fields this transport uses.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct Sqe
    {
        [FieldOffset(0)] public byte Opcode;
        [FieldOffset(1)] public byte Flags;
        [FieldOffset(2)] public ushort IoPrio;
        [FieldOffset(4)] public int Fd;
        [FieldOffset(8)] public ulong Offset;
        [FieldOffset(16)] public ulong Address;
        [FieldOffset(24)] public uint Length;
        [FieldOffset(28)] public uint OpFlags;
        [FieldOffset(32)] public ulong UserData;
        [FieldOffset(40)] public ushort BufferGroup;
        [FieldOffset(44)] public ushort AddressLength;
    }

    /// <summary>struct io_uring_cqe (16 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Cqe
    {
        public ulong UserData;
        public int Result;
        public uint Flags;
    }

    /// <summary>struct io_uring_buf_reg (40 bytes): registers a ring of provided buffers.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct BufferRingRegistration
    {
        public ulong RingAddress;
        public uint RingEntries;
        public ushort GroupId;
        public ushort Pad;
        public fixed ulong Resv[3];
    }

    /// <summary>struct io_uring_recvmsg_out: heads every buffer a multishot recvmsg fills; name and payload follow.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RecvMsgOut
    {
        public uint NameLength;
        public uint ControlLength;
        public uint PayloadLength;
        public int Flags;
    }

    public static int Setup(uint entries, Params* parameters) => (int)Syscall(SysSetup, entries, (long)parameters, 0, 0, 0, 0);

    public static int Enter(int ring, uint toSubmit, uint minComplete, uint flags) =>
        (int)Syscall(SysEnter, ring, toSubmit, minComplete, flags, 0, 0);

    public static int Register(int ring, uint opcode, void* argument, uint count) =>
        (int)Syscall(SysRegister, ring, opcode, (long)argument, count, 0, 0);

    // syscall(2) is variadic; every argument here is an integer, which the x86-64 and arm64 calling conventions pass
    // the same way to variadic and fixed-argument functions.
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* address, nuint length);
}
