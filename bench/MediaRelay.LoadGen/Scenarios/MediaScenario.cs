using System.Diagnostics;
using System.Globalization;
using MediaRelay.LoadGen.Media;
using MediaRelay.LoadGen.Report;

namespace MediaRelay.LoadGen.Scenarios;

/// <summary>N concurrent calls, RTP both ways at ptime pacing for a fixed time, then teardown.</summary>
internal static class MediaScenario
{
    public static async Task<RunReport> RunAsync(LoadGenOptions options, CancellationToken cancel)
    {
        var scenario = options.Scenario ?? "calls-" + options.Calls.ToString(CultureInfo.InvariantCulture);
        var report = new RunReport(options.Loopback ? "loopback" : "media", scenario, options.RelayName!);
        report.Add("calls", options.Calls);
        using var engine = new MediaEngine(options.Calls, options.MediaAddress, options.ReceiveBufferBytes);
        using var control = options.Loopback ? null : new CallControl(options);
        var idleRss = options.RelayPid > 0 ? ProcessProbe.RssMegabytes(options.RelayPid) : null;
        var active = await MediaSetup.ConnectAsync(options, engine, control, report);
        if (active.Count == 0)
        {
            report.Ok = false;
            report.Error = "no call could be set up" + (control?.FirstError is { } why ? ": " + why : string.Empty);
            return report;
        }

        engine.StartReceivers(options.ReceiveThreads);
        var dropsBefore = MediaEngine.SocketDrops(active, options.Loopback);
        var cpuAtStart = options.RelayPid > 0 ? ProcessProbe.CpuSeconds(options.RelayPid) : null;
        var window = new CpuWindow(options, active);
        var warmup = options.CpuWarmupSeconds > 0 && options.CpuWarmupSeconds < options.DurationSeconds ? options.CpuWarmupSeconds : 0;
        if (warmup == 0)
        {
            window.Open();
        }

        var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        using (var opener = new Timer(_ => window.Open(), null, warmup > 0 ? TimeSpan.FromSeconds(warmup) : Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan))
        {
            engine.RunSenders(active, options.PtimeMs / 1000.0, spin: false, options.SendThreads, TimeSpan.FromSeconds(options.DurationSeconds), cancel);
        }

        var mediaSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        // Let packets in flight arrive before counting; anything later than this is counted as lost.
        Thread.Sleep(300);
        engine.StopReceivers();
        var cpuAfter = options.RelayPid > 0 ? ProcessProbe.CpuSeconds(options.RelayPid) : null;
        var (cpuBefore, busyWindow, windowSeconds, windowReceived) = window.Close();
        var dropsAfter = MediaEngine.SocketDrops(active, options.Loopback);
        var ownCpu = (Process.GetCurrentProcess().TotalProcessorTime - ownCpuBefore).TotalSeconds;

        if (control is not null)
        {
            await MediaSetup.DeleteAsync(options, options.Calls, control);
        }

        var forward = engine.Totals(LegRole.Caller, active);
        var backward = engine.Totals(LegRole.Callee, active);
        var all = engine.LatencyAll(active);
        report.Add("media_seconds", mediaSeconds);
        report.Add("a2b_sent", forward.Sent);
        report.Add("a2b_received", forward.Received);
        report.Add("a2b_loss_pct", forward.LossPercent);
        report.Add("a2b_reordered", forward.Reordered);
        report.Add("b2a_sent", backward.Sent);
        report.Add("b2a_received", backward.Received);
        report.Add("b2a_loss_pct", backward.LossPercent);
        report.Add("b2a_reordered", backward.Reordered);
        report.Add("pps_each_way", forward.Sent / mediaSeconds);
        report.Add("latency_p50_us", all.P50);
        report.Add("latency_p99_us", all.P99);
        report.Add("latency_p999_us", all.P999);
        report.Add("latency_kernel_p50_us", all.KernelP50);
        report.Add("latency_kernel_p99_us", all.KernelP99);
        report.Add("latency_kernel_p999_us", all.KernelP999);
        report.Add("latency_kernel_missing", all.KernelMissing);
        report.Add("jitter_mean_us", all.JitterMean);
        report.Add("jitter_max_us", all.JitterMax);
        // Relayed packets are the ones the generator received back. With --cpu-warmup the CPU figures cover only the
        // window from that many seconds into the media phase to its end (learning, and installs, are over by then).
        var relayed = warmup > 0 ? windowReceived : forward.Received + backward.Received;
        if (warmup > 0)
        {
            report.Add("cpu_window_s", windowSeconds);
            report.Add("relay_cpu_s_warmup", cpuBefore is { } open && cpuAtStart is { } first ? open - first : double.NaN);
        }

        if (cpuBefore is { } before && cpuAfter is { } after)
        {
            report.Add("relay_cpu_s", after - before);
            report.Add("relay_cpu_pct", (after - before) * 100.0 / (warmup > 0 ? windowSeconds : mediaSeconds));

            // The relay's CPU per forwarded packet.
            report.Add("relay_cpu_us_per_pkt", relayed > 0 ? (after - before) * 1e6 / relayed : double.NaN);
        }

        // Busy time of the cores over the same window (wall − idle): what the kernel's softirq work costs as well.
        CoreBusy.AddFigures(report, string.Empty, busyWindow, options.RelayCore, relayed);
        if (options.RelayPid > 0)
        {
            // Memory per call: (peak RSS - RSS before setup) / calls set up. Read it on a relay started for the run,
            // since VmHWM is a lifetime high-water mark (and counts warm-up, e.g. JIT, as well as calls).
            var peakRss = ProcessProbe.PeakRssMegabytes(options.RelayPid) ?? double.NaN;
            var callsUp = active.Count / 2;
            report.Add("relay_peak_rss_mb", peakRss);
            report.Add("relay_idle_rss_mb", idleRss ?? double.NaN);
            report.Add("relay_kb_per_call", idleRss is { } idle && callsUp > 0 ? (peakRss - idle) * 1024.0 / callsUp : double.NaN);
        }

        report.Add("relay_socket_drops", dropsAfter.Relay - dropsBefore.Relay);
        report.Add("loadgen_socket_drops", dropsAfter.Generator - dropsBefore.Generator);
        report.Add("loadgen_cpu_pct", ownCpu * 100.0 / mediaSeconds);
        control?.AddLatencyFigures(report, includeDelete: true);
        if (all.KernelNegative > 0)
        {
            report.Note(string.Create(CultureInfo.InvariantCulture, $"{all.KernelNegative} packets had a kernel receive stamp before their send stamp (realtime clock stepped?); counted as 0 µs in latency_kernel_*"));
        }

        report.Note(string.Create(CultureInfo.InvariantCulture, $"send errors a2b {forward.SendErrors}, b2a {backward.SendErrors}; duplicates {forward.Duplicates + backward.Duplicates}; foreign packets {forward.Foreign + backward.Foreign}"));
        if (forward.Received == 0 || backward.Received == 0)
        {
            report.Ok = false;
            report.Error = "no media received in at least one direction";
        }

        return report;
    }

    /// <summary>
    /// The window the CPU figures cover: opened at the start of the media phase, or by a timer --cpu-warmup seconds
    /// into it (a timer thread); closed after the last packets arrived. The lock orders the two.
    /// </summary>
    private sealed class CpuWindow(LoadGenOptions options, IReadOnlyList<MediaLeg> legs)
    {
        private readonly object _gate = new();
        private double? _cpu;
        private CoreBusy? _busy;
        private long _received;
        private long _opened;

        public void Open()
        {
            lock (_gate)
            {
                _received = legs.Sum(leg => leg.Received);
                _cpu = options.RelayPid > 0 ? ProcessProbe.CpuSeconds(options.RelayPid) : null;
                _busy = options.RelayCore >= 0 ? CoreBusy.Start() : null;
                _opened = Stopwatch.GetTimestamp();
            }
        }

        public (double? CpuBefore, (double[] Busy, double WallSeconds)? Busy, double Seconds, long Received) Close()
        {
            lock (_gate)
            {
                return (_cpu, _busy?.Stop(), _opened == 0 ? double.NaN : Stopwatch.GetElapsedTime(_opened).TotalSeconds,
                    legs.Sum(leg => leg.Received) - _received);
            }
        }
    }
}
