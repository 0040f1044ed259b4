using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace MediaRelay.LoadGen.Media;

/// <summary>
/// SO_TIMESTAMPNS: the kernel stamps each datagram (CLOCK_REALTIME) when it enters the receive path, before the
/// receiving thread wakes up, and hands the stamp to recvmsg as an SCM_TIMESTAMPNS control message. On loopback the
/// stamp is taken in netif_rx, i.e. inside the sending thread's system call (net.core.netdev_tstamp_prequeue = 1,
/// the default), so it leaves out softirq delivery and the generator's receive wake-up.
/// The constants are the asm-generic/x86 values (x86-64, arm64); other architectures are not stamped and every
/// packet then counts as missing a stamp.
/// </summary>
internal static class KernelTimestamps
{
    public const int SolSocket = 1;
    public const int SoTimestampNs = 35;
    public const int ScmTimestampNs = SoTimestampNs;

    /// <summary>struct cmsghdr: size_t cmsg_len; int cmsg_level; int cmsg_type; data aligned to 8.</summary>
    public const int CmsgHeaderLength = 16;

    /// <summary>struct timespec: long tv_sec; long tv_nsec.</summary>
    public const int TimespecLength = 16;

    public static bool Supported =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>Turns the stamps on; returns false where that is not possible (the run goes on, unstamped).</summary>
    public static bool Enable(Socket socket)
    {
        if (!Supported)
        {
            return false;
        }

        Span<byte> on = stackalloc byte[sizeof(int)];
        MemoryMarshal.Write(on, 1);
        try
        {
            socket.SetRawSocketOption(SolSocket, SoTimestampNs, on);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Finds the SCM_TIMESTAMPNS message in a control buffer as recvmsg filled it (msg_controllen bytes) and returns
    /// its time in nanoseconds since the epoch. False when there is none, it is cut short, or it is zero.
    /// Allocation-free.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> control, out long nanoseconds)
    {
        var offset = 0;
        while (control.Length - offset >= CmsgHeaderLength)
        {
            var length = MemoryMarshal.Read<ulong>(control[offset..]);
            if (length < CmsgHeaderLength || length > (ulong)(control.Length - offset))
            {
                break;
            }

            var level = MemoryMarshal.Read<int>(control[(offset + 8)..]);
            var type = MemoryMarshal.Read<int>(control[(offset + 12)..]);
            if (level == SolSocket && type == ScmTimestampNs && length >= CmsgHeaderLength + TimespecLength)
            {
                var seconds = MemoryMarshal.Read<long>(control[(offset + CmsgHeaderLength)..]);
                var fraction = MemoryMarshal.Read<long>(control[(offset + CmsgHeaderLength + 8)..]);
                nanoseconds = (seconds * 1_000_000_000L) + fraction;
                return nanoseconds > 0;
            }

            // CMSG_NXTHDR: the next header starts at the length rounded up to the alignment of size_t.
            var next = (length + 7) & ~7UL;
            if (next > (ulong)(control.Length - offset))
            {
                break;
            }

            offset += (int)next;
        }

        nanoseconds = 0;
        return false;
    }
}

/// <summary>
/// One reusable recvmsg set-up in native memory (struct msghdr, one iovec, a data buffer and a 64-byte control
/// buffer), so receiving a datagram with its kernel stamp needs no pinning and no allocation. One thread at a time.
/// </summary>
internal sealed unsafe partial class MessageReceiver : IDisposable
{
    public const int DataCapacity = 2048;
    public const int ControlCapacity = 64;
    private const int MsgDontWait = 0x40;

    private readonly MsgHdr* _message;
    private readonly IoVec* _vector;
    private readonly byte* _control;
    private readonly byte* _data;
    private bool _disposed;

    public MessageReceiver()
    {
        _message = (MsgHdr*)NativeMemory.AllocZeroed((nuint)sizeof(MsgHdr));
        _vector = (IoVec*)NativeMemory.AllocZeroed((nuint)sizeof(IoVec));
        _control = (byte*)NativeMemory.AllocZeroed(ControlCapacity);
        _data = (byte*)NativeMemory.AllocZeroed(DataCapacity);
        _vector->Base = _data;
        _vector->Length = DataCapacity;
        _message->Vector = _vector;
        _message->VectorLength = 1;
        _message->Control = _control;
    }

    /// <summary>The datagram the last successful <see cref="Receive"/> returned.</summary>
    public ReadOnlySpan<byte> Data(int length) => new(_data, Math.Min(length, DataCapacity));

    /// <summary>The control messages the last successful <see cref="Receive"/> returned.</summary>
    public ReadOnlySpan<byte> Control => new(_control, (int)Math.Min(_message->ControlLength, (nuint)ControlCapacity));

    /// <summary>One non-blocking recvmsg; returns the datagram's length, or -1 when none was read (EAGAIN, error).</summary>
    public int Receive(int socketFd)
    {
        // recvmsg overwrites msg_controllen with what it used: give it the whole buffer again every time.
        _message->ControlLength = ControlCapacity;
        _message->Flags = 0;
        var length = RecvMsg(socketFd, _message, MsgDontWait);
        return length < 0 ? -1 : (int)length;
    }

    public bool TryGetKernelTimestamp(out long nanoseconds) => KernelTimestamps.TryRead(Control, out nanoseconds);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        NativeMemory.Free(_data);
        NativeMemory.Free(_control);
        NativeMemory.Free(_vector);
        NativeMemory.Free(_message);
    }

    [LibraryImport("libc", EntryPoint = "recvmsg")]
    private static partial nint RecvMsg(int socketFd, MsgHdr* message, int flags);

    /// <summary>struct iovec (16 bytes on 64-bit).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr (56 bytes on 64-bit Linux; sequential layout adds the same padding C does).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Vector;
        public nuint VectorLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }
}
