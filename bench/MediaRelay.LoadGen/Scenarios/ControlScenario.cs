using System.Diagnostics;
using MediaRelay.LoadGen.Report;

namespace MediaRelay.LoadGen.Scenarios;

/// <summary>offer + answer + delete as fast as the relay answers, with a fixed number of calls in flight; no media.</summary>
internal static class ControlScenario
{
    public static async Task<RunReport> RunAsync(LoadGenOptions options, CancellationToken cancel)
    {
        var report = new RunReport("control", options.Scenario ?? "control", options.RelayName!);
        using var control = new CallControl(options);
        var deadline = Stopwatch.GetTimestamp() + (long)(options.DurationSeconds * Stopwatch.Frequency);
        var nextCall = -1;
        long completed = 0;
        var cpuBefore = options.RelayPid > 0 ? ProcessProbe.CpuSeconds(options.RelayPid) : null;
        var idleRss = options.RelayPid > 0 ? ProcessProbe.RssMegabytes(options.RelayPid) : null;
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, Math.Max(1, options.Concurrency)).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < deadline && !cancel.IsCancellationRequested)
            {
                var call = Interlocked.Increment(ref nextCall);

                // The SDP ports are never used (no media), they only have to look real: 2000-9998, below every relay
                // port range compare.sh uses (10000 and up). A phone never offers one of the relay's own ports on the
                // relay's address; MediaRelay refuses such a destination and logs a warning for it, which the
                // earlier range (2000-41998) made happen on 48 % of the calls.
                var port = 2000 + ((call % 2_000) * 4);
                var ports = await control.SetupAsync(call, port, port + 2);
                if (ports is not null && await control.DeleteAsync(call))
                {
                    Interlocked.Increment(ref completed);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpuAfter = options.RelayPid > 0 ? ProcessProbe.CpuSeconds(options.RelayPid) : null;
        report.Add("calls", completed);
        report.Add("control_cps", completed / seconds);
        report.Add("control_errors", control.Errors);
        control.AddLatencyFigures(report, includeDelete: true);
        if (cpuBefore is { } before && cpuAfter is { } after)
        {
            report.Add("relay_cpu_pct", (after - before) * 100.0 / seconds);
        }

        if (options.RelayPid > 0)
        {
            // Memory per call: (peak RSS - RSS before the run) / calls completed. Meaningful on a relay started for
            // the run (VmHWM is a lifetime high-water mark). Only 32 calls are up at any time; what grows is what a
            // relay keeps of the calls it handled (both keep each reply for retransmissions) and warm-up (JIT, pools,
            // heap growth), so the figure is per call handled: per call in flight it would grow with the rate.
            var peakRss = ProcessProbe.PeakRssMegabytes(options.RelayPid) ?? double.NaN;
            report.Add("relay_peak_rss_mb", peakRss);
            report.Add("relay_idle_rss_mb", idleRss ?? double.NaN);
            report.Add("relay_kb_per_call", idleRss is { } idle && completed > 0 ? (peakRss - idle) * 1024.0 / completed : double.NaN);
        }

        if (control.FirstError is not null)
        {
            report.Note("first control error: " + control.FirstError);
        }

        if (completed == 0)
        {
            report.Ok = false;
            report.Error = "no call completed" + (control.FirstError is { } why ? ": " + why : string.Empty);
        }

        return report;
    }
}
