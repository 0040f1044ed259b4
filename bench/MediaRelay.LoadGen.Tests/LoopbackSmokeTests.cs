using MediaRelay.LoadGen;

namespace MediaRelay.LoadGen.Tests;

public sealed class LoopbackSmokeTests
{
    [Fact]
    public async Task LoopbackRunDeliversEveryPacketBothWays()
    {
        var options = LoadGenOptions.Parse(["--mode", "loopback", "--calls", "2", "--duration", "2"]);

        var report = await LoadGenRunner.RunAsync(options);

        Assert.True(report.Ok, report.Error);
        Assert.Equal(2, report.Get("calls"));

        // 2 s at 20 ms is about 100 packets per leg; allow for a slow start on a busy machine.
        Assert.True(report.Get("a2b_sent") >= 100, "a2b_sent " + report.Get("a2b_sent"));
        Assert.True(report.Get("b2a_sent") >= 100, "b2a_sent " + report.Get("b2a_sent"));
        Assert.Equal(report.Get("a2b_sent"), report.Get("a2b_received"));
        Assert.Equal(report.Get("b2a_sent"), report.Get("b2a_received"));
        Assert.Equal(0, report.Get("a2b_loss_pct"));
        Assert.Equal(0, report.Get("b2a_loss_pct"));
        Assert.True(report.Get("latency_p50_us") >= 0);

        // The kernel-stamp figure ends earlier on the same path (before the receiver's wake-up), so it is positive
        // and at most the user-space figure, give or take the rounding to whole microseconds and the stamps' order.
        var userP99 = report.Get("latency_p99_us");
        var kernelP99 = report.Get("latency_kernel_p99_us");
        Assert.True(kernelP99 > 0, "latency_kernel_p99_us " + kernelP99);
        Assert.True(kernelP99 <= userP99 + 5, "latency_kernel_p99_us " + kernelP99 + " > latency_p99_us " + userP99 + " + 5");
        Assert.True(report.Get("latency_kernel_p50_us") >= 0);
        Assert.True(report.Get("latency_kernel_p999_us") >= kernelP99);
        Assert.Equal(0, report.Get("latency_kernel_missing"));
        Assert.Contains("\"ok\":true", report.ToJsonLine(), StringComparison.Ordinal);
    }
}
