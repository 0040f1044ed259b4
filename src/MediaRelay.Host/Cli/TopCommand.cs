using System.CommandLine;
using System.Globalization;
using System.Text;
using MediaRelay.Management.Api;

namespace MediaRelay.Host.Cli;

/// <summary>
/// `mediarelay top`: a live view refreshed every second until Ctrl+C (or <c>--count</c> refreshes): the relay's rates
/// and the busiest calls by packets per second over the last refresh.
/// </summary>
internal static class TopCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count", "-n") { Description = "Stop after this many refreshes. Default 0: until Ctrl+C." };
        var rows = new Option<int>("--rows") { Description = "Calls shown. Default: what fits the terminal (20 when not a terminal)." };
        return ManagementVerb.Create("top", "A live view of a relay, refreshed every second until Ctrl+C: rates, ports, and the busiest calls.",
            async (result, client, output, cancellation) =>
            {
                var frames = result.GetValue(count);
                var shown = result.GetValue(rows);
                Dictionary<string, long> previous = [];
                var terminal = !Console.IsOutputRedirected;
                for (var frame = 1; frames <= 0 || frame <= frames; frame++)
                {
                    var summary = await client.SummaryAsync(cancellation).ConfigureAwait(false);
                    var page = await client.SessionsAsync(0, ApiEndpoints.MaxLimit, null, cancellation).ConfigureAwait(false);
                    var fit = shown > 0 ? shown : terminal ? Math.Max(5, Console.WindowHeight - 8) : 20;
                    var text = Frame(summary, page, previous, fit, client.BaseAddress);
                    previous = page.Sessions.ToDictionary(s => s.CallId, s => s.Packets, StringComparer.Ordinal);
                    await output.WriteAsync((terminal ? "\u001b[H\u001b[2J" : frame > 1 ? "\n" : "") + text).ConfigureAwait(false);
                    await output.FlushAsync(cancellation).ConfigureAwait(false);
                    if (frames > 0 && frame == frames)
                    {
                        break;
                    }

                    await Task.Delay(TimeSpan.FromSeconds(1), cancellation).ConfigureAwait(false);
                }

                return 0;
            },
            count, rows);
    }

    private static string Frame(SummaryView s, SessionPage page, Dictionary<string, long> previous, int rows, Uri relay)
    {
        var invariant = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(invariant, $"mediarelay top - {relay} - {DateTime.UtcNow:HH:mm:ss}Z - {s.Status}, up {TextTable.Duration(s.Uptime)}\n");
        text.Append(invariant, $"sessions {s.SessionCount}  streams {s.UserspaceStreams + s.KernelStreams} ({s.KernelStreams} kernel)  ");
        text.Append(invariant, $"{s.PacketsPerSecond:F0} packets/s  {TextTable.Bits(s.BpsRelayed)}  ports {s.PortsUsed} used / {s.PortsFree} free\n\n");
        var table = new TextTable("CALL-ID", "AGE", "PKT/S", "PACKETS", "BYTES", "ERRORS", "PATH", "STATE");
        var busiest = page.Sessions
            .Select(call => (Call: call, Rate: previous.TryGetValue(call.CallId, out var before) ? Math.Max(0, call.Packets - before) : 0))
            .OrderByDescending(x => x.Rate).ThenBy(x => x.Call.Created).Take(rows);
        foreach (var (call, rate) in busiest)
        {
            table.Add(call.CallId, TextTable.Duration(call.Duration), TextTable.Number(rate), TextTable.Number(call.Packets), TextTable.Bytes(call.Bytes),
                TextTable.Number(call.Errors), call.Streams.Any(x => x.Path == "kernel") ? "kernel" : "userspace", call.State);
        }

        text.Append(table);
        if (page.Total > rows)
        {
            text.Append(invariant, $"... {page.Total - Math.Min(rows, page.Sessions.Count)} more\n");
        }

        return text.ToString();
    }
}
