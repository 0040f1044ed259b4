using System.Diagnostics;
using System.Globalization;
using MediaRelay.LoadGen.Media;
using MediaRelay.LoadGen.Report;

namespace MediaRelay.LoadGen.Scenarios;

/// <summary>
/// A few calls at ever higher packet rates: each step sends at a fixed total rate for a few seconds, waits for
/// stragglers, and measures loss. The best step is the highest forwarded rate with loss below the threshold; the
/// search stops at the first step that loses more, or where the generator itself cannot send the asked rate.
/// </summary>
internal static class FloodScenario
{
    public static async Task<RunReport> RunAsync(LoadGenOptions options, CancellationToken cancel)
    {
        var report = new RunReport("flood", options.Scenario ?? "flood", options.RelayName!);
        report.Add("calls", options.FloodCalls);
        using var engine = new MediaEngine(options.FloodCalls, options.MediaAddress, options.ReceiveBufferBytes);
        using var control = options.Loopback ? null : new CallControl(options);
        var active = await MediaSetup.ConnectAsync(options, engine, control, report);
        if (active.Count == 0)
        {
            report.Ok = false;
            report.Error = "no call could be set up" + (control?.FirstError is { } why ? ": " + why : string.Empty);
            return report;
        }

        engine.StartReceivers(options.ReceiveThreads);
        engine.SetRecordLatency(false);
        double bestForwarded = 0, bestOffered = 0, bestCpuPercent = double.NaN;
        (double[] Busy, double WallSeconds)? bestBusy = null;
        double bestReceived = 0;
        var limit = "reached --flood-max-pps";
        var steps = 0;
        var retried = false;
        var searchStarted = Stopwatch.GetTimestamp();
        var rate = options.FloodStartPps;
        while (rate <= options.FloodMaxPps && !cancel.IsCancellationRequested)
        {
            if (Stopwatch.GetElapsedTime(searchStarted).TotalSeconds + options.FloodStepSeconds > options.FloodBudgetSeconds)
            {
                limit = "time budget (--flood-budget) spent";
                break;
            }

            var sentBefore = active.Sum(leg => leg.Sent);
            var errorsBefore = active.Sum(leg => leg.SendErrors);
            var receivedBefore = active.Sum(leg => leg.Received - leg.Duplicates);
            var dropsBefore = MediaEngine.SocketDrops(active, options.Loopback);
            var cpuBefore = options.RelayPid > 0 ? ProcessProbe.CpuSeconds(options.RelayPid) : null;
            var busy = options.RelayCore >= 0 ? CoreBusy.Start() : null;
            var started = Stopwatch.GetTimestamp();

            // Every leg sends once per period, so the total rate is legs / period.
            engine.RunSenders(active, active.Count / rate, spin: true, options.SendThreads, TimeSpan.FromSeconds(options.FloodStepSeconds), cancel);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            Thread.Sleep(200);
            var cpuAfter = options.RelayPid > 0 ? ProcessProbe.CpuSeconds(options.RelayPid) : null;
            var busyWindow = busy?.Stop();
            var dropsAfter = MediaEngine.SocketDrops(active, options.Loopback);
            var sent = active.Sum(leg => leg.Sent) - sentBefore;
            var sendErrors = active.Sum(leg => leg.SendErrors) - errorsBefore;
            var lastError = active.Select(leg => leg.LastSendError).LastOrDefault(e => e != System.Net.Sockets.SocketError.Success);
            var received = active.Sum(leg => leg.Received - leg.Duplicates) - receivedBefore;
            var loss = sent == 0 ? 100.0 : Math.Max(0, (sent - received) * 100.0 / sent);
            var offered = sent / seconds;
            var forwarded = received / seconds;
            var cpuPercent = cpuBefore is { } b && cpuAfter is { } a ? (a - b) * 100.0 / seconds : double.NaN;
            steps++;
            report.Note(string.Create(CultureInfo.InvariantCulture, $"step {steps}: asked {rate:#,0} pps, sent {offered:#,0} pps, received {forwarded:#,0} pps, loss {loss:0.###}%, relay cpu {RunReport.Format(cpuPercent)}%{CoreNote(busyWindow, options.RelayCore)}, socket drops relay {dropsAfter.Relay - dropsBefore.Relay} loadgen {dropsAfter.Generator - dropsBefore.Generator}, send errors {sendErrors}{(sendErrors > 0 ? " (" + lastError + ")" : string.Empty)}"));
            var shortfall = offered < rate * 0.9;
            var lossy = loss >= options.LossThresholdPercent;
            if (!lossy && forwarded > bestForwarded)
            {
                (bestForwarded, bestOffered, bestCpuPercent) = (forwarded, offered, cpuPercent);
                (bestBusy, bestReceived) = (busyWindow, received);
            }

            if (shortfall || lossy)
            {
                // A shared machine stalls now and then: a step that fails is tried once more before it counts.
                if (!retried)
                {
                    retried = true;
                    continue;
                }

                limit = shortfall
                    ? string.Create(CultureInfo.InvariantCulture, $"generator could not send {rate:#,0} pps (sent {offered:#,0})")
                    : string.Create(CultureInfo.InvariantCulture, $"loss {loss:0.###}% at {offered:#,0} pps");
                break;
            }

            retried = false;
            rate *= options.FloodStepFactor;
        }

        engine.StopReceivers();
        if (control is not null)
        {
            await MediaSetup.DeleteAsync(options, options.FloodCalls, control);
        }

        report.Note("search ended: " + limit);
        report.Add("flood_best_pps", bestForwarded);
        report.Add("flood_best_offered_pps", bestOffered);
        report.Add("flood_relay_cpu_pct", bestCpuPercent);
        report.Add("flood_relay_cpu_us_per_pkt", bestForwarded > 0 ? bestCpuPercent / 100.0 * 1e6 / bestForwarded : double.NaN);
        CoreBusy.AddFigures(report, "flood_", bestBusy, options.RelayCore, bestReceived);
        if (options.RelayPid > 0)
        {
            report.Add("relay_peak_rss_mb", ProcessProbe.PeakRssMegabytes(options.RelayPid) ?? double.NaN);
        }

        if (bestForwarded <= 0)
        {
            report.Ok = false;
            report.Error = "no step passed: " + limit;
        }

        return report;
    }

    private static string CoreNote((double[] Busy, double WallSeconds)? window, int relayCore) =>
        window is { } w && relayCore >= 0 && relayCore < w.Busy.Length
            ? string.Create(CultureInfo.InvariantCulture, $", relay core busy {w.Busy[relayCore] * 100 / w.WallSeconds:0.#}%, machine busy {w.Busy.Sum() * 100 / w.WallSeconds:0.#}%")
            : string.Empty;
}
