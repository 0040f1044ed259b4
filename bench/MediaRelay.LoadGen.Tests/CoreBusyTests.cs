using MediaRelay.LoadGen;

namespace MediaRelay.LoadGen.Tests;

public sealed class CoreBusyTests
{
    [Fact]
    public async Task RelayCoreAddsBusyFiguresWithinTheirBounds()
    {
        var options = LoadGenOptions.Parse(["--mode", "loopback", "--calls", "1", "--duration", "1", "--relay-core", "0"]);

        var report = await LoadGenRunner.RunAsync(options);

        Assert.True(report.Ok, report.Error);
        var cores = File.ReadLines("/proc/stat").Count(line => line.StartsWith("cpu", StringComparison.Ordinal) && line.Length > 3 && char.IsAsciiDigit(line[3]));
        var machine = report.Get("machine_busy_pct");
        var core = report.Get("relay_core_busy_pct");
        Assert.InRange(machine, 0, (100 * cores) + 1);
        Assert.InRange(core, 0, 101);
        Assert.True(core <= machine + 1e-9, "relay core " + core + " > machine " + machine);
        Assert.True(report.Get("machine_busy_us_per_pkt") >= report.Get("relay_core_busy_us_per_pkt"));
    }

    [Fact]
    public async Task CpuWarmupLeavesTheStartOutOfTheWindow()
    {
        var options = LoadGenOptions.Parse(["--mode", "loopback", "--calls", "1", "--duration", "2", "--relay-core", "0", "--cpu-warmup", "1"]);

        var report = await LoadGenRunner.RunAsync(options);

        Assert.True(report.Ok, report.Error);

        // 1 s of the 2 s media phase, plus the 0.3 s wait for stragglers that closes every window: never the whole
        // run (the warm-up is left out); on a loaded machine the window can start late, so only a floor of 0.5 s.
        Assert.InRange(report.Get("cpu_window_s"), 0.5, 2.0);
        Assert.True(report.Get("machine_busy_pct") >= 0);
        Assert.True(report.Get("machine_busy_us_per_pkt") > 0);
    }

    [Fact]
    public async Task WithoutRelayCoreNoBusyFigures()
    {
        var options = LoadGenOptions.Parse(["--mode", "loopback", "--calls", "1", "--duration", "1"]);

        var report = await LoadGenRunner.RunAsync(options);

        Assert.True(report.Ok, report.Error);
        Assert.True(double.IsNaN(report.Get("machine_busy_pct")));
    }
}
