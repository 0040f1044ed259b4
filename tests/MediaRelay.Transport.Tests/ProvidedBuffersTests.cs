using System.Runtime.InteropServices;
using MediaRelay.Transport.IoUring;

namespace MediaRelay.Transport.Tests;

/// <summary>
/// The io_uring loop's receive buffers (issue 13's soak): the kernel fills them in ring order, so every one of them is
/// used in turn. Resident from the start, they are part of the relay's memory from its first second; left untouched,
/// they would become resident page by page while the kernel path forwards the media, and the relay's memory would
/// creep for hours.
/// </summary>
public sealed unsafe partial class ProvidedBuffersTests
{
    [Fact]
    public void Every_receive_buffer_is_resident_as_soon_as_the_loop_has_its_buffers()
    {
        const int count = 4096;
        const int size = 2048;
        using var ring = IoUringRing.TryCreate(64, 128, out var error);
        Assert.True(ring is not null, error);
        using var buffers = ProvidedBuffers.TryCreate(ring, count, size, out error);
        Assert.True(buffers is not null, error);

        var page = Environment.SystemPageSize;
        var first = (nint)buffers[0] & ~(nint)(page - 1);
        var end = (nint)buffers[count - 1] + size;
        var pages = (int)((end - first + page - 1) / page);
        var resident = new byte[pages];
        fixed (byte* vector = resident)
        {
            Assert.Equal(0, MinCore(first, (nuint)(end - first), vector));
        }

        Assert.Equal(pages, resident.Count(flag => (flag & 1) == 1));
    }

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static partial int MinCore(nint address, nuint length, byte* vector);
}
