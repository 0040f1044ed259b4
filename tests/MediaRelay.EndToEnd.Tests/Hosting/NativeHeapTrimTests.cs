using System.Runtime.InteropServices;
using MediaRelay.Host.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.EndToEnd.Tests.Hosting;

/// <summary>
/// The relay's once-a-minute trim (issue 13's soak): native memory freed after a burst goes back to the kernel even
/// when a live block sits above it in its arena, where glibc alone keeps it resident for good.
/// </summary>
public sealed unsafe class NativeHeapTrimTests
{
    [Fact]
    public void A_trim_gives_the_memory_freed_under_a_live_block_back_to_the_kernel()
    {
        const int blocks = 32 * 1024;
        const int size = 1024;
        long before = 0, freed = 0, trimmed = 0;
        var trim = new NativeHeapTrim(TimeProvider.System, NullLogger<NativeHeapTrim>.Instance);
        // A thread of its own: its own arena, as the relay's ng workers have, with no other test allocating in it.
        var thread = new Thread(() =>
        {
            var burst = new nint[blocks];
            for (var i = 0; i < blocks; i++)
            {
                burst[i] = (nint)NativeMemory.Alloc(size);
                new Span<byte>((void*)burst[i], size).Fill(0x5a);
            }

            var live = NativeMemory.Alloc(size); // above the burst: the arena cannot shrink from its top
            before = AnonymousKib();
            for (var i = 0; i < blocks; i++)
            {
                NativeMemory.Free((void*)burst[i]);
            }

            freed = AnonymousKib();
            Assert.True(trim.TrimNow(), "malloc_trim is missing: this test expects glibc");
            trimmed = AnonymousKib();
            NativeMemory.Free(live);
        });
        thread.Start();
        thread.Join();

        // 32 MiB freed: glibc keeps nearly all of it resident; the trim returns nearly all of it.
        Assert.True(before - freed < 8 * 1024, $"free() alone returned {before - freed} KiB (before {before}, after {freed})");
        Assert.True(freed - trimmed > 24 * 1024, $"the trim returned {freed - trimmed} KiB (after free {freed}, after the trim {trimmed})");
    }

    private static long AnonymousKib()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(8).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
