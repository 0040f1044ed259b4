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
        Assert.Contains("\"ok\":true", report.ToJsonLine(), StringComparison.Ordinal);
    }
}
