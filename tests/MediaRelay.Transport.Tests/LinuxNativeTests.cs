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
}
