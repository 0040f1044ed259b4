using MediaRelay.Transport.Native;

namespace MediaRelay.Transport.Tests;

public sealed unsafe class LinuxNativeTests
{
    [Fact]
    public void Structures_have_the_kernel_abi_sizes()
    {
        // struct mmsghdr is a 56-byte struct msghdr plus msg_len, padded to 64 on 64-bit Linux; iovec is 16.
        Assert.Equal(64, sizeof(LinuxNative.MMsgHdr));
        Assert.Equal(16, sizeof(LinuxNative.IoVec));
    }

    [Fact]
    public void Io_uring_structures_have_the_sizes_and_offsets_of_linux_io_uring_h()
    {
        Assert.Equal(120, sizeof(IoUringNative.Params));
        Assert.Equal(64, sizeof(IoUringNative.Sqe));
        Assert.Equal(16, sizeof(IoUringNative.Cqe));
        Assert.Equal(40, sizeof(IoUringNative.BufferRingRegistration));
        Assert.Equal(16, sizeof(IoUringNative.RecvMsgOut));

        // The fields the transport writes, at the offsets the kernel reads them from.
        var sqe = default(IoUringNative.Sqe);
        var start = (byte*)&sqe;
        Assert.Equal(4, (byte*)&sqe.Fd - start);
        Assert.Equal(8, (byte*)&sqe.Offset - start);
        Assert.Equal(16, (byte*)&sqe.Address - start);
        Assert.Equal(28, (byte*)&sqe.OpFlags - start);
        Assert.Equal(32, (byte*)&sqe.UserData - start);
        Assert.Equal(40, (byte*)&sqe.BufferGroup - start);
        Assert.Equal(44, (byte*)&sqe.AddressLength - start);
        var p = default(IoUringNative.Params);
        Assert.Equal(40, (byte*)&p.SqOff - (byte*)&p);
        Assert.Equal(80, (byte*)&p.CqOff - (byte*)&p);
    }
}
