using MediaRelay.LoadGen.Report;

namespace MediaRelay.LoadGen.Tests;

public sealed class ComparisonTableTests
{
    [Fact]
    public void ThreeRelaysGiveTwoRatioColumnsAndTheGoals()
    {
        var directory = Directory.CreateTempSubdirectory("loadgen-table-");
        try
        {
            string Write(string relay, double pps, double cpu)
            {
                var file = Path.Combine(directory.FullName, relay + ".jsonl");
                File.WriteAllLines(file,
                [
                    $$$"""{"mode":"flood","scenario":"flood-4","relay":"{{{relay}}}","ok":true,"figures":{"flood_best_pps":{{{pps}}}}}""",
                    $$$"""{"mode":"media","scenario":"calls-1000","relay":"{{{relay}}}","ok":true,"figures":{"relay_cpu_us_per_pkt":{{{cpu}}},"latency_kernel_p99_us":{{{cpu * 50}}}}}""",
                ]);
                return file;
            }

            var table = ComparisonTable.Render([Write("rtpengine", 100, 10), Write("MediaRelay", 150, 4), Write("refrelay", 200, 2)]);

            Assert.Contains("MediaRelay/rtpengine", table, StringComparison.Ordinal);
            Assert.Contains("MediaRelay/refrelay", table, StringComparison.Ordinal);
            Assert.Matches(@"flood-4\s+flood_best_pps\s+100\s+150\s+200\s+1\.50\s+0\.75", table);
            Assert.Contains("flood-4 flood_best_pps: MediaRelay/refrelay = 0.75 (goal >= 0.9): NOT met", table, StringComparison.Ordinal);
            Assert.Contains("flood-4 flood_best_pps: MediaRelay/rtpengine = 1.50 (goal >= 1.5): met", table, StringComparison.Ordinal);
            Assert.Contains("calls-1000 relay_cpu_us_per_pkt: MediaRelay/rtpengine = 0.40 (goal <= 0.5): met", table, StringComparison.Ordinal);
            Assert.Contains("flood-50 flood_best_pps: MediaRelay/refrelay = - (goal >= 0.9): n/a", table, StringComparison.Ordinal);
            Assert.Contains("calls-1000 latency_kernel_p99_us: MediaRelay = 200 (goal <= 200): met", table, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void KernelLatencyHasItsOwnRowsNextToTheUserSpaceOnes()
    {
        var directory = Directory.CreateTempSubdirectory("loadgen-table-");
        try
        {
            string Write(string relay, double p99, double kernelP99)
            {
                var file = Path.Combine(directory.FullName, relay + ".jsonl");
                File.WriteAllLines(file,
                [
                    $$$"""{"mode":"media","scenario":"calls-1000","relay":"{{{relay}}}","ok":true,"figures":{"latency_p50_us":10,"latency_p99_us":{{{p99}}},"latency_p999_us":2000,"latency_kernel_p50_us":5,"latency_kernel_p99_us":{{{kernelP99}}},"latency_kernel_p999_us":900,"latency_kernel_missing":0,"jitter_mean_us":3}}""",
                ]);
                return file;
            }

            var table = ComparisonTable.Render([Write("rtpengine", 4000, 800), Write("MediaRelay", 2000, 200)]);
            var rows = table.Split('\n').Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(cells => cells.Length >= 2).Select(cells => cells[1]).ToList();

            Assert.Matches(@"calls-1000\s+latency_p99_us\s+4,000\s+2,000\s+0\.50", table);
            Assert.Matches(@"calls-1000\s+latency_kernel_p99_us\s+800\s+200\s+0\.25", table);
            Assert.Matches(@"calls-1000\s+latency_kernel_missing\s+0\s+0\s+-", table);
            Assert.Equal(rows.IndexOf("latency_p999_us") + 1, rows.IndexOf("latency_kernel_p50_us"));
            Assert.Equal(rows.IndexOf("latency_kernel_p50_us") + 1, rows.IndexOf("latency_kernel_p99_us"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
