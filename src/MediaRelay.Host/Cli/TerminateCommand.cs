using System.CommandLine;
using System.Globalization;

namespace MediaRelay.Host.Cli;

/// <summary>`mediarelay terminate CALLID|all`: ends calls now (reason "terminated"), freeing their ports.</summary>
internal static class TerminateCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("CALLID") { Description = "The call's Call-ID, or 'all' for every running call." };
        return ManagementVerb.Create("terminate", "End a call now (or every call: all), reason \"terminated\": its media stops and its ports are freed.",
            async (result, client, output, cancellation) =>
            {
                var callId = result.GetValue(target)!;
                if (callId != "all")
                {
                    var ended = await client.TerminateAsync(callId, cancellation).ConfigureAwait(false);
                    await output.WriteLineAsync(Line(ended.Session)).ConfigureAwait(false);
                    return 0;
                }

                var count = 0;
                foreach (var call in await client.AllSessionsAsync(null, cancellation).ConfigureAwait(false))
                {
                    try
                    {
                        await output.WriteLineAsync(Line((await client.TerminateAsync(call.CallId, cancellation).ConfigureAwait(false)).Session)).ConfigureAwait(false);
                        count++;
                    }
                    catch (CliException)
                    {
                        // Ended on its own between the listing and now.
                    }
                }

                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{count} call(s) terminated")).ConfigureAwait(false);
                return 0;
            },
            target);
    }

    private static string Line(Management.Api.SessionView call) => string.Create(CultureInfo.InvariantCulture,
        $"terminated {call.CallId}: {TextTable.Duration(call.Duration)}, {TextTable.Number(call.Packets)} packets, {TextTable.Bytes(call.Bytes)}");
}
