using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using MediaRelay.LoadGen.Media;

namespace MediaRelay.LoadGen.Tests;

public sealed class KernelTimestampTests
{
    private const long Stamp = (1_700_000_000L * 1_000_000_000L) + 123_456_789L;

    [Fact]
    public void ReadsTheTimestampMessage()
    {
        var control = new byte[64];
        WriteMessage(control, 0, KernelTimestamps.SolSocket, KernelTimestamps.ScmTimestampNs, 1_700_000_000L, 123_456_789L);

        Assert.True(KernelTimestamps.TryRead(control.AsSpan(0, 32), out var nanoseconds));
        Assert.Equal(Stamp, nanoseconds);
    }

    [Fact]
    public void SkipsAnotherMessageBeforeIt()
    {
        // IP_PKTINFO (level 0, type 8) carries 12 bytes: cmsg_len 28, padded to 32 before the next header.
        var control = new byte[64];
        MemoryMarshal.Write(control.AsSpan(0), 28UL);
        MemoryMarshal.Write(control.AsSpan(8), 0);
        MemoryMarshal.Write(control.AsSpan(12), 8);
        WriteMessage(control, 32, KernelTimestamps.SolSocket, KernelTimestamps.ScmTimestampNs, 1_700_000_000L, 123_456_789L);

        Assert.True(KernelTimestamps.TryRead(control, out var nanoseconds));
        Assert.Equal(Stamp, nanoseconds);
    }

    [Fact]
    public void RejectsMissingTruncatedOrForeignMessages()
    {
        var control = new byte[64];
        Assert.False(KernelTimestamps.TryRead(ReadOnlySpan<byte>.Empty, out _));

        WriteMessage(control, 0, KernelTimestamps.SolSocket, KernelTimestamps.ScmTimestampNs, 1_700_000_000L, 123_456_789L);
        Assert.False(KernelTimestamps.TryRead(control.AsSpan(0, 24), out _)); // cut inside the timespec

        WriteMessage(control, 0, KernelTimestamps.SolSocket, 29, 1_700_000_000L, 123_456_789L); // SCM_TIMESTAMP_NEW, say
        Assert.False(KernelTimestamps.TryRead(control.AsSpan(0, 32), out _));

        WriteMessage(control, 0, KernelTimestamps.SolSocket, KernelTimestamps.ScmTimestampNs, 0, 0);
        Assert.False(KernelTimestamps.TryRead(control.AsSpan(0, 32), out _));

        MemoryMarshal.Write(control.AsSpan(0), 8UL); // cmsg_len shorter than its own header
        Assert.False(KernelTimestamps.TryRead(control, out _));
    }

    [Fact]
    public void RealtimeClockIsTheWallClock()
    {
        var realtime = RealtimeClock.NowNanoseconds();
        var wall = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

        Assert.InRange(realtime - wall, -1_000_000_000L, 1_000_000_000L);
    }

    [Fact]
    public void SendAndReceiveAreStampedAndAllocationFree()
    {
        Assert.True(KernelTimestamps.Supported, "these tests need x86-64 or arm64 Linux");
        using var caller = new MediaLeg(0, 0, LegRole.Caller, IPAddress.Loopback, 1 << 20);
        using var callee = new MediaLeg(1, 0, LegRole.Callee, IPAddress.Loopback, 1 << 20);
        caller.PeerId = callee.Id;
        callee.PeerId = caller.Id;
        caller.ConnectTo(callee.LocalEndPoint);
        callee.ConnectTo(caller.LocalEndPoint);
        Assert.True(caller.KernelStamped && callee.KernelStamped);

        using var loop = new ReceiverLoop([caller, callee], [callee], "test-recv");
        using var receiver = new MessageReceiver();

        // Warm up (JIT, first-call stubs), then measure the managed bytes this thread allocates per packet.
        var warm = RoundTrips(caller, callee, loop, receiver, 200);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var measured = RoundTrips(caller, callee, loop, receiver, 2000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(200, warm);
        Assert.Equal(2000, measured);
        Assert.Equal(0, allocated);
        Assert.Equal(2200, loop.LatencyByReceiverRole[(int)LegRole.Callee].Count);
        Assert.Equal(2200, loop.KernelLatencyByReceiverRole[(int)LegRole.Callee].Count);
        Assert.Equal(0, loop.KernelStampMissing);
        Assert.Equal(0, loop.KernelStampNegative);

        // The kernel stamp is taken on the way to the user-space stamp, so its latency is the smaller one.
        var user = loop.LatencyByReceiverRole[(int)LegRole.Callee].PercentileMicroseconds(0.5);
        var kernel = loop.KernelLatencyByReceiverRole[(int)LegRole.Callee].PercentileMicroseconds(0.5);
        Assert.InRange(kernel, 0, user + 2);
    }

    /// <summary>Sends <paramref name="count"/> packets one at a time and receives each; returns how many arrived.</summary>
    private static int RoundTrips(MediaLeg sender, MediaLeg receiving, ReceiverLoop loop, MessageReceiver receiver, int count)
    {
        var arrived = 0;
        for (var i = 0; i < count; i++)
        {
            var expected = receiving.Received + 1;
            sender.SendNext();
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
            while (receiving.Received < expected && Stopwatch.GetTimestamp() < deadline)
            {
                loop.ReceiveOne(receiving, receiver);
            }

            if (receiving.Received == expected)
            {
                arrived++;
            }
        }

        return arrived;
    }

    private static void WriteMessage(byte[] control, int offset, int level, int type, long seconds, long nanoseconds)
    {
        MemoryMarshal.Write(control.AsSpan(offset), (ulong)(KernelTimestamps.CmsgHeaderLength + KernelTimestamps.TimespecLength));
        MemoryMarshal.Write(control.AsSpan(offset + 8), level);
        MemoryMarshal.Write(control.AsSpan(offset + 12), type);
        MemoryMarshal.Write(control.AsSpan(offset + 16), seconds);
        MemoryMarshal.Write(control.AsSpan(offset + 24), nanoseconds);
    }
}
