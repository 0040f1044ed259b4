using System.Globalization;
using System.Net;

namespace MediaRelay.LoadGen;

/// <summary>Every knob of the generator; each property states its default.</summary>
internal sealed class LoadGenOptions
{
    /// <summary>media | loopback | flood | control | ping | table. Default media.</summary>
    public string Mode { get; set; } = "media";

    /// <summary>The relay's ng control address. Default 127.0.0.1:22222.</summary>
    public IPEndPoint Relay { get; set; } = new(IPAddress.Loopback, 22222);

    /// <summary>Run media without a relay (each leg sends to its peer socket). Default false.</summary>
    public bool Loopback { get; set; }

    /// <summary>Label of the relay in reports. Default "rtpengine" or "loopback".</summary>
    public string? RelayName { get; set; }

    /// <summary>Scenario name in reports. Default derived from the mode and call count.</summary>
    public string? Scenario { get; set; }

    /// <summary>The relay's process id for CPU and RSS figures; 0 = do not probe. Default 0.</summary>
    public int RelayPid { get; set; }

    /// <summary>
    /// The core the relay and its receive processing are pinned to; when set (0 or more), media and flood runs add
    /// the busy time (wall − idle, /proc/stat) of every core and of this one. Default -1 (not measured).
    /// </summary>
    public int RelayCore { get; set; } = -1;

    /// <summary>
    /// Media mode: the relay CPU and core busy figures cover the media phase from this many seconds in to its end,
    /// leaving out call start (learning, kernel installs). Default 0 (the whole media phase).
    /// </summary>
    public double CpuWarmupSeconds { get; set; }

    /// <summary>Address the generator's RTP sockets bind to and put in SDP. Default 127.0.0.1.</summary>
    public IPAddress MediaAddress { get; set; } = IPAddress.Loopback;

    /// <summary>Concurrent calls with media. Default 100.</summary>
    public int Calls { get; set; } = 100;

    /// <summary>Media duration in seconds (control mode: how long to run). Default 20.</summary>
    public double DurationSeconds { get; set; } = 20;

    /// <summary>Packet interval per leg in milliseconds. Default 20.</summary>
    public double PtimeMs { get; set; } = 20;

    /// <summary>Sender threads. Default 1.</summary>
    public int SendThreads { get; set; } = 1;

    /// <summary>Receiver threads. Default 1.</summary>
    public int ReceiveThreads { get; set; } = 1;

    /// <summary>Commands in flight while setting up or deleting calls, and in control mode. Default 32.</summary>
    public int Concurrency { get; set; } = 32;

    /// <summary>ng retransmit interval in milliseconds; a command fails after 3 attempts. Default 1000.</summary>
    public int NgTimeoutMs { get; set; } = 1000;

    /// <summary>Flood: calls (each carries two streams). Default 4.</summary>
    public int FloodCalls { get; set; } = 4;

    /// <summary>Flood: first total packet rate (both directions). Default 20,000.</summary>
    public double FloodStartPps { get; set; } = 20_000;

    /// <summary>Flood: rate multiplier per step. Default 1.25.</summary>
    public double FloodStepFactor { get; set; } = 1.25;

    /// <summary>Flood: highest rate tried. Default 1,000,000.</summary>
    public double FloodMaxPps { get; set; } = 1_000_000;

    /// <summary>Flood: seconds per step. Default 3.</summary>
    public double FloodStepSeconds { get; set; } = 3;

    /// <summary>Flood: the whole search stops after this many seconds. Default 45.</summary>
    public double FloodBudgetSeconds { get; set; } = 45;

    /// <summary>Flood: loss at or above this (percent) ends the search. Default 0.1.</summary>
    public double LossThresholdPercent { get; set; } = 0.1;

    /// <summary>Socket receive buffer in bytes (the kernel caps it at net.core.rmem_max). Default 1 MiB.</summary>
    public int ReceiveBufferBytes { get; set; } = 1 << 20;

    /// <summary>Hard limit for the whole run in seconds; the process exits with code 3 when exceeded. Default 600.</summary>
    public double MaxSeconds { get; set; } = 600;

    /// <summary>Append the JSON line to this file too. Default none.</summary>
    public string? JsonOut { get; set; }

    /// <summary>Soak: churn actions (re-INVITE, hold/resume, move, replace) per second over all calls. Default 5.</summary>
    public double ChurnRate { get; set; } = 5;

    /// <summary>Soak: seconds between samples (one CSV row each). Default 10.</summary>
    public double SampleSeconds { get; set; } = 10;

    /// <summary>Soak: the relay's management listener, whose /metrics the soak reads. Default http://127.0.0.1:9900/.</summary>
    public Uri Management { get; set; } = new("http://127.0.0.1:9900/");

    /// <summary>Soak: write the samples as CSV to this file. Default none.</summary>
    public string? CsvOut { get; set; }

    /// <summary>Soak: seconds to wait after the last delete before the end check (the relay's delete delay + a few). Default 2.</summary>
    public double SettleSeconds { get; set; } = 2;

    /// <summary>Soak: the churn's random seed (the same seed gives the same sequence of actions). Default 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Table mode: the JSON-lines files to compare (baseline, subject, then optional others).</summary>
    public List<string> TableFiles { get; } = [];

    public static LoadGenOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadGenOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Next()
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException("missing value for " + name);
                }

                return args[++i];
            }

            double Number() => double.Parse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture);

            switch (name)
            {
                case "--mode": options.Mode = Next(); break;
                case "--relay": options.Relay = IPEndPoint.Parse(Next()); break;
                case "--loopback": options.Loopback = true; break;
                case "--relay-name": options.RelayName = Next(); break;
                case "--scenario": options.Scenario = Next(); break;
                case "--relay-pid": options.RelayPid = (int)Number(); break;
                case "--relay-core": options.RelayCore = (int)Number(); break;
                case "--cpu-warmup": options.CpuWarmupSeconds = Number(); break;
                case "--media-address": options.MediaAddress = IPAddress.Parse(Next()); break;
                case "--calls": options.Calls = (int)Number(); break;
                case "--duration": options.DurationSeconds = Number(); break;
                case "--ptime": options.PtimeMs = Number(); break;
                case "--send-threads": options.SendThreads = (int)Number(); break;
                case "--recv-threads": options.ReceiveThreads = (int)Number(); break;
                case "--concurrency": options.Concurrency = (int)Number(); break;
                case "--ng-timeout-ms": options.NgTimeoutMs = (int)Number(); break;
                case "--flood-calls": options.FloodCalls = (int)Number(); break;
                case "--flood-start-pps": options.FloodStartPps = Number(); break;
                case "--flood-step-factor": options.FloodStepFactor = Number(); break;
                case "--flood-max-pps": options.FloodMaxPps = Number(); break;
                case "--flood-step-seconds": options.FloodStepSeconds = Number(); break;
                case "--flood-budget": options.FloodBudgetSeconds = Number(); break;
                case "--loss-threshold": options.LossThresholdPercent = Number(); break;
                case "--rcvbuf": options.ReceiveBufferBytes = (int)Number(); break;
                case "--max-seconds": options.MaxSeconds = Number(); break;
                case "--json-out": options.JsonOut = Next(); break;
                case "--churn-rate": options.ChurnRate = Number(); break;
                case "--sample-seconds": options.SampleSeconds = Number(); break;
                case "--management": options.Management = new Uri(Next()); break;
                case "--csv-out": options.CsvOut = Next(); break;
                case "--seed": options.Seed = (int)Number(); break;
                case "--settle-seconds": options.SettleSeconds = Number(); break;
                default:
                    if (options.Mode == "table" && !name.StartsWith("--", StringComparison.Ordinal))
                    {
                        options.TableFiles.Add(name);
                        break;
                    }

                    throw new ArgumentException("unknown option " + name);
            }
        }

        if (options.Mode == "loopback")
        {
            options.Mode = "media";
            options.Loopback = true;
        }

        options.RelayName ??= options.Loopback ? "loopback" : "relay";
        return options;
    }

    public const string Usage = """
        mediarelay-loadgen --mode media|loopback|flood|control|ping|soak|table [options]
          --relay IP:PORT          ng control address (default 127.0.0.1:22222)
          --loopback               no relay: legs send to each other (generator ceiling)
          --relay-name NAME        label in reports          --scenario NAME   scenario label
          --relay-pid PID          probe this process's CPU (/proc/PID/stat) and peak RSS (VmHWM)
          --relay-core N           also measure busy time (wall - idle, /proc/stat) of every core and of core N
          --cpu-warmup S (0)       media: CPU figures from S seconds into the media phase to its end
          --media-address IP       address of the generator's RTP sockets and SDP (default 127.0.0.1)
          --calls N (100)          --duration S (20)         --ptime MS (20)
          --send-threads N (1)     --recv-threads N (1)      --concurrency N (32)
          --flood-calls N (4)      --flood-start-pps R (20000) --flood-step-factor F (1.25)
          --flood-max-pps R (1e6)  --flood-step-seconds S (3)  --flood-budget S (45)
          --loss-threshold PCT (0.1)
          --rcvbuf BYTES (1 MiB)   --max-seconds S (600)     --json-out FILE
        soak mode (--calls slots with media for --duration s under churn; bench/soak.sh runs it and plots it):
          --churn-rate R (5)       re-INVITE / hold-resume / move / replace actions per second
          --sample-seconds S (10)  --csv-out FILE            --seed N (1)
          --settle-seconds S (2)   wait after the last delete before checking ports and sessions (delete delay + a few)
          --management URL (http://127.0.0.1:9900/)          the relay's /metrics: RSS, GC heap, fds, ports
        table mode: mediarelay-loadgen --mode table BASELINE.jsonl SUBJECT.jsonl [REFERENCE.jsonl ...]
          ratio columns SUBJECT/each other file; with three files the fast-path goals follow the table
        """;
}
