using System.Diagnostics;
using MediaRelay.LoadGen.Ng;
using MediaRelay.LoadGen.Report;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.LoadGen.Scenarios;

/// <summary>Waits until the relay answers the ng "ping" command with "pong", for up to --duration seconds.</summary>
internal static class PingScenario
{
    public static async Task<RunReport> RunAsync(LoadGenOptions options, CancellationToken cancel)
    {
        var report = new RunReport("ping", options.Scenario ?? "ping", options.RelayName!) { Ok = false, Error = "no pong" };
        using var client = new NgClient(options.Relay, TimeSpan.FromMilliseconds(250), 1);
        var deadline = Stopwatch.GetTimestamp() + (long)(options.DurationSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && !cancel.IsCancellationRequested)
        {
            var result = await client.SendAsync(new BencodeDictionary { { "command", "ping" } });
            if (result.Reply?.GetString("result") == "pong")
            {
                report.Ok = true;
                report.Error = null;
                report.Add("ping_ms", result.ElapsedTicks * 1000.0 / Stopwatch.Frequency);
                break;
            }

            await Task.Delay(100, cancel);
        }

        return report;
    }
}
