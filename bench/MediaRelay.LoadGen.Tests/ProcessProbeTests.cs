using System.Diagnostics;
using MediaRelay.LoadGen.Report;

namespace MediaRelay.LoadGen.Tests;

/// <summary>The relay's CPU as the benchmarks read it: the process CPU-time clock, against the 10 ms ticks of /proc.</summary>
public sealed class ProcessProbeTests
{
    [Fact]
    public void The_cpu_clock_agrees_with_the_ticks_and_resolves_below_a_tick()
    {
        var pid = Environment.ProcessId;
        var clockBefore = ProcessProbe.CpuClockSeconds(pid);
        var ticksBefore = ProcessProbe.CpuTickSeconds(pid);
        Assert.NotNull(clockBefore);
        Assert.NotNull(ticksBefore);

        // Burn 300 ms of CPU as the clock under test counts it. On a busy machine this thread gets less than its
        // wall time, so the loop runs on the clock, not on a stopwatch; 5 s of wall time at most, in case it never moves.
        var spin = Stopwatch.StartNew();
        var x = 1.0;
        while (ProcessProbe.CpuClockSeconds(pid)!.Value - clockBefore!.Value < 0.3 && spin.ElapsedMilliseconds < 5000)
        {
            for (var i = 0; i < 100_000; i++)
            {
                x = Math.Sqrt(x + 1);
            }
        }

        var clockBurned = ProcessProbe.CpuClockSeconds(pid)!.Value - clockBefore.Value;
        var ticksBurned = ProcessProbe.CpuTickSeconds(pid)!.Value - ticksBefore!.Value;
        Assert.True(x > 1);
        // At least what was burned, and no more than every core for the whole time.
        Assert.InRange(clockBurned, 0.3, (Environment.ProcessorCount * spin.Elapsed.TotalSeconds) + 0.05);
        Assert.InRange(clockBurned - ticksBurned, -0.05, 0.05);

        // Two readings a few microseconds apart differ by less than a tick: the clock is not tick-bound.
        var first = ProcessProbe.CpuClockSeconds(pid)!.Value;
        var second = ProcessProbe.CpuClockSeconds(pid)!.Value;
        Assert.InRange(second - first, 0, 0.005);
        Assert.NotEqual(0, (first * 1e9) % 10_000_000);
    }
}
