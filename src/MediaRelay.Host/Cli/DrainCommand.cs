using System.CommandLine;
using System.Globalization;

namespace MediaRelay.Host.Cli;

/// <summary>`mediarelay drain`: as SIGHUP, through the management API: new calls refused, the relay exits after the last.</summary>
internal static class DrainCommand
{
    public static Command Create() =>
        ManagementVerb.Create("drain", "Drain the relay, as SIGHUP does: new calls are refused, running calls go on, and the relay exits 0 when the last one ends (or after its --drain-timeout).",
            async (result, client, output, cancellation) =>
            {
                var summary = await client.DrainAsync(cancellation).ConfigureAwait(false);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"draining: {summary.SessionCount} call(s) still running; the relay exits when the last one ends")).ConfigureAwait(false);
                return 0;
            });
}
