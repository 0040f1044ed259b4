using System.Diagnostics;
using System.Globalization;
using System.Text;
using MediaRelay.LoadGen.Media;
using MediaRelay.LoadGen.Ng;
using MediaRelay.LoadGen.Report;

namespace MediaRelay.LoadGen.Soak;

/// <summary>
/// The soak: --calls call slots with RTP both ways at ptime pacing for --duration seconds while the churn re-INVITEs,
/// holds and resumes, moves a phone to a new address, and replaces calls (delete + new Call-ID) at random, at
/// --churn-rate actions per second. Every --sample-seconds one CSV row: media sent and received in the interval
/// (loss), latency percentiles, the relay's RSS, GC heap, open descriptors, ports, sessions and kernel streams (from
/// its /metrics), relay CPU, and the churn's counts. At the end every call is deleted and the report checks that
/// the relay holds no port and no session, and how far the descriptors moved.
/// </summary>
internal static class SoakScenario
{
    private const string CsvHeader =
        "t_s,calls_up,held,sent,received,loss_pct,latency_p50_us,latency_p99_us,latency_max_us,relay_rss_mb,relay_gc_heap_mb,relay_fds,"
        + "relay_ports_used,relay_sessions,relay_kernel_streams,relay_cpu_pct,relay_gen2_collections,actions_done,actions_failed,ng_slow";

    public static async Task<RunReport> RunAsync(LoadGenOptions options, CancellationToken cancel)
    {
        var report = new RunReport("soak", options.Scenario ?? "soak-" + options.Calls.ToString(CultureInfo.InvariantCulture), options.RelayName!);
        using var probe = new RelayProbe(options.Management);
        var before = await probe.ReadAsync();
        if (before is null)
        {
            report.Ok = false;
            report.Error = "the relay's metrics are not readable at " + options.Management + "metrics (start it with its management listener on)";
            return report;
        }

        using var engine = new SoakEngine(options.Calls, options.MediaAddress, options.ReceiveBufferBytes, options.PtimeMs / 1000.0);
        using var ng = new NgClient(options.Relay, TimeSpan.FromMilliseconds(options.NgTimeoutMs), 3);
        var runTag = "soak-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var churn = new SoakChurn(engine, ng, options.MediaAddress, runTag);
        using var csv = options.CsvOut is null ? null : new StreamWriter(options.CsvOut, append: false, Encoding.ASCII);
        csv?.WriteLine(CsvHeader);

        engine.Start();
        var setupOk = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Calls), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency }, async (slot, _) =>
        {
            if (await churn.StartAsync(slot))
            {
                Interlocked.Increment(ref setupOk);
            }
        });
        report.Add("calls", options.Calls);
        report.Add("calls_set_up", setupOk);
        if (setupOk == 0)
        {
            engine.Stop();
            report.Ok = false;
            report.Error = "no call could be set up: " + churn.FirstError;
            return report;
        }

        var started = Stopwatch.GetTimestamp();
        var samples = new List<(double T, RelayReading Relay)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        stop.CancelAfter(TimeSpan.FromSeconds(options.DurationSeconds));
        var churnTask = ChurnAsync(options, churn, stop.Token);

        var lastTotals = engine.Totals();
        var lastLatency = engine.LatencySnapshot();
        var lastCpu = options.RelayPid > 0 ? ProcessProbe.CpuSeconds(options.RelayPid) : null;
        var lastTime = Stopwatch.GetTimestamp();
        var worstLoss = 0.0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(options.SampleSeconds), stop.Token);
            }
            catch (OperationCanceledException)
            {
            }

            var now = Stopwatch.GetTimestamp();
            var totals = engine.Totals();
            var latency = engine.LatencySnapshot();
            var interval = latency.Since(lastLatency);
            var cpu = options.RelayPid > 0 ? ProcessProbe.CpuSeconds(options.RelayPid) : null;
            var relay = await probe.ReadAsync() ?? new RelayReading(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
            var sent = totals.Sent - lastTotals.Sent;
            var received = totals.Received - lastTotals.Received;
            var loss = sent > 0 ? Math.Max(0, (sent - received) * 100.0 / sent) : 0;
            var seconds = Stopwatch.GetElapsedTime(lastTime, now).TotalSeconds;
            var cpuPct = cpu is { } c && lastCpu is { } l ? (c - l) * 100.0 / seconds : double.NaN;
            var t = Stopwatch.GetElapsedTime(started, now).TotalSeconds;
            var calls = CallsSending(engine, churn);
            worstLoss = Math.Max(worstLoss, loss);
            samples.Add((t, relay));
            csv?.WriteLine(string.Join(',', new[]
            {
                F(t), F(calls.Up), F(calls.Held), F(sent), F(received), F(loss), F(interval.PercentileMicroseconds(0.50)),
                F(interval.PercentileMicroseconds(0.99)), F(interval.MaxMicroseconds()), F(relay.ResidentMegabytes), F(relay.GcHeapMegabytes),
                F(relay.OpenFds), F(relay.PortsUsed), F(relay.Sessions), F(relay.KernelStreams), F(cpuPct), F(relay.Gen2Collections),
                F(churn.DoneTotal), F(churn.FailedTotal), F(churn.NgSlow),
            }));
            csv?.Flush();
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"soak t={t:F0}s calls={calls.Up} loss={loss:F3}% p99={interval.PercentileMicroseconds(0.99):F0}us rss={relay.ResidentMegabytes:F1}MB gc={relay.GcHeapMegabytes:F1}MB fds={relay.OpenFds} ports={relay.PortsUsed} actions={churn.DoneTotal}/{churn.FailedTotal} failed"));
            lastTotals = totals;
            lastLatency = latency;
            lastCpu = cpu;
            lastTime = now;
        }

        await churnTask;
        var mediaSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var whole = engine.LatencySnapshot();
        var notEnded = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Calls), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency }, async (slot, _) =>
        {
            // An action may still hold the slot for a moment; a relay that no longer answers gets 20 tries.
            for (var attempt = 0; !await churn.EndAsync(slot); attempt++)
            {
                if (attempt == 20)
                {
                    Interlocked.Increment(ref notEnded);
                    return;
                }

                await Task.Delay(50, CancellationToken.None);
            }
        });
        engine.Stop();
        var final = engine.Totals();
        await Task.Delay(TimeSpan.FromSeconds(options.SettleSeconds), CancellationToken.None);
        var after = await probe.ReadAsync();

        report.Add("soak_seconds", mediaSeconds);
        report.Add("sent", final.Sent);
        report.Add("received", final.Received);
        report.Add("loss_pct", final.Sent > 0 ? Math.Max(0, (final.Sent - final.Received) * 100.0 / final.Sent) : double.NaN);
        report.Add("worst_interval_loss_pct", worstLoss);
        report.Add("foreign_packets", final.Foreign);
        var deaf = 0;
        var short10 = 0;
        foreach (var side in engine.Sides)
        {
            var peerSent = engine.Sides[side.PeerId].Sent;
            deaf += peerSent > 0 && side.Received == 0 ? 1 : 0;
            short10 += peerSent > 0 && side.Received < peerSent * 0.9 ? 1 : 0;
        }

        // Phones that heard nothing of what their peer sent, and phones that missed more than a tenth of it.
        report.Add("phones_deaf", deaf);
        report.Add("phones_missing_over_10pct", short10);
        report.Add("send_errors", final.SendErrors);
        report.Add("latency_p50_us", whole.PercentileMicroseconds(0.50));
        report.Add("latency_p99_us", whole.PercentileMicroseconds(0.99));
        report.Add("latency_p999_us", whole.PercentileMicroseconds(0.999));
        report.Add("latency_max_us", whole.MaxMicroseconds());
        foreach (var action in Enum.GetValues<SoakAction>())
        {
            report.Add("actions_" + action.ToString().ToLowerInvariant(), churn.Done(action));
            report.Add("actions_" + action.ToString().ToLowerInvariant() + "_failed", churn.Failed(action));
        }

        report.Add("ng_commands", churn.NgCommands);
        report.Add("ng_slow_over_100ms", churn.NgSlow);
        report.Add("relay_fds_before", before.Value.OpenFds);
        report.Add("relay_rss_mb_before", before.Value.ResidentMegabytes);
        AddFlatness(report, samples);
        if (after is { } end)
        {
            report.Add("relay_ports_used_after", end.PortsUsed);
            report.Add("relay_sessions_after", end.Sessions);
            report.Add("relay_kernel_streams_after", end.KernelStreams);
            report.Add("relay_fds_after", end.OpenFds);
            report.Add("relay_rss_mb_after", end.ResidentMegabytes);
            report.Add("relay_gc_heap_mb_after", end.GcHeapMegabytes);
            if (end.PortsUsed != 0 || end.Sessions != 0)
            {
                report.Ok = false;
                report.Error = string.Create(CultureInfo.InvariantCulture, $"after every call was deleted the relay still holds {end.PortsUsed} ports and {end.Sessions} sessions");
            }
        }
        else
        {
            report.Ok = false;
            report.Error = "the relay's metrics were not readable at the end";
        }

        if (churn.FirstError is not null)
        {
            report.Note("first signalling error: " + churn.FirstError);
        }

        report.Add("calls_not_deleted", notEnded);
        if (notEnded > 0)
        {
            report.Ok = false;
            report.Error = string.Create(CultureInfo.InvariantCulture, $"{notEnded} call(s) could not be deleted at the end: {churn.FirstError}");
        }

        return report;
    }

    /// <summary>
    /// How flat the relay's descriptors, RSS and GC heap stayed: first and last value, and the least-squares slope
    /// per hour, over the samples after the first tenth of the run (start-up: JIT, pools, caches filling).
    /// </summary>
    private static void AddFlatness(RunReport report, List<(double T, RelayReading Relay)> samples)
    {
        var steady = samples.Skip(samples.Count / 10).Where(s => !double.IsNaN(s.Relay.OpenFds)).ToList();
        if (steady.Count < 2)
        {
            return;
        }

        void Series(string name, Func<RelayReading, double> pick)
        {
            var xs = steady.Select(s => s.T).ToArray();
            var ys = steady.Select(s => pick(s.Relay)).ToArray();
            var meanX = xs.Average();
            var meanY = ys.Average();
            var slope = xs.Zip(ys).Sum(p => (p.First - meanX) * (p.Second - meanY)) / Math.Max(1e-9, xs.Sum(x => (x - meanX) * (x - meanX)));
            report.Add(name + "_steady_first", ys[0]);
            report.Add(name + "_steady_last", ys[^1]);
            report.Add(name + "_steady_min", ys.Min());
            report.Add(name + "_steady_max", ys.Max());
            report.Add(name + "_slope_per_hour", slope * 3600);
        }

        Series("relay_fds", r => r.OpenFds);
        Series("relay_rss_mb", r => r.ResidentMegabytes);
        Series("relay_gc_heap_mb", r => r.GcHeapMegabytes);
    }

    private static async Task ChurnAsync(LoadGenOptions options, SoakChurn churn, CancellationToken stop)
    {
        if (options.ChurnRate <= 0)
        {
            return;
        }

        var random = new Random(options.Seed);
        var running = new List<Task>();
        var gap = TimeSpan.FromSeconds(1 / options.ChurnRate);
        var next = Stopwatch.GetTimestamp();
        while (!stop.IsCancellationRequested)
        {
            var slot = random.Next(churn.Slots);
            var roll = random.Next(100);
            var action = roll switch
            {
                < 30 => SoakAction.ReInvite,
                < 50 => churn.IsHeld(slot) ? SoakAction.Resume : SoakAction.Hold,
                < 70 => SoakAction.Move,
                _ => SoakAction.Replace,
            };
            running.Add(churn.RunAsync(slot, action));
            running.RemoveAll(task => task.IsCompleted);
            next += (long)(gap.TotalSeconds * Stopwatch.Frequency);
            var wait = next - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), stop);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        await Task.WhenAll(running);
    }

    private static (int Up, int Held) CallsSending(SoakEngine engine, SoakChurn churn)
    {
        int up = 0, held = 0;
        for (var slot = 0; slot < churn.Slots; slot++)
        {
            if (engine.Caller(slot).Sending)
            {
                up++;
                if (churn.IsHeld(slot))
                {
                    held++;
                }
            }
        }

        return (up, held);
    }

    private static string F(double value) => double.IsNaN(value) ? string.Empty : value.ToString("0.###", CultureInfo.InvariantCulture);
}
