using System.CommandLine;
using System.Globalization;
using MediaRelay.Management.Api;

namespace MediaRelay.Host.Cli;

/// <summary>`mediarelay sessions`: the running calls as a table, as `rtpengine-ctl list sessions` lists them, page by page.</summary>
internal static class SessionsCommand
{
    public static Command Create()
    {
        var offset = new Option<int>("--offset") { Description = "Skip this many calls (oldest first). Default 0." };
        var limit = new Option<int?>("--limit") { Description = "Show at most this many calls. Default: all of them (read 1,000 at a time)." };
        var filter = new Option<string?>("--filter") { Description = "Only calls whose call-id, a tag or an address contains this text." };
        return ManagementVerb.Create("sessions", "List the running calls of a relay: call-id, tags, age, streams, packets, bytes, errors, path and state.",
            async (result, client, output, cancellation) =>
            {
                var from = Math.Max(0, result.GetValue(offset));
                var text = result.GetValue(filter);
                List<SessionView> calls;
                int total;
                if (result.GetValue(limit) is { } count)
                {
                    var page = await client.SessionsAsync(from, Math.Clamp(count, 1, ApiEndpoints.MaxLimit), text, cancellation).ConfigureAwait(false);
                    (calls, total) = ([.. page.Sessions], page.Total);
                }
                else
                {
                    calls = await client.AllSessionsAsync(text, cancellation).ConfigureAwait(false);
                    total = calls.Count;
                    calls = [.. calls.Skip(from)];
                }

                await output.WriteAsync(Table(calls)).ConfigureAwait(false);
                await output.WriteLineAsync(calls.Count == total
                    ? string.Create(CultureInfo.InvariantCulture, $"{total} session(s)")
                    : string.Create(CultureInfo.InvariantCulture, $"{calls.Count} of {total} session(s) shown, from {from}")).ConfigureAwait(false);
                return 0;
            },
            offset, limit, filter);
    }

    public static string Table(IEnumerable<SessionView> calls)
    {
        var table = new TextTable("CALL-ID", "FROM-TAG", "TO-TAG", "AGE", "STREAMS", "PACKETS", "BYTES", "ERRORS", "PATH", "STATE");
        foreach (var call in calls)
        {
            table.Add(call.CallId, call.FromTag ?? "-", call.ToTag ?? "-", TextTable.Duration(call.Duration),
                string.Join(",", call.Streams.Select(s => s.Type)), TextTable.Number(call.Packets), TextTable.Bytes(call.Bytes),
                TextTable.Number(call.Errors), Path(call), State(call));
        }

        return table.Count == 0 ? "no running calls\n" : table.ToString();
    }

    private static string Path(SessionView call) =>
        call.Streams.Any(s => s.Path == "kernel") ? "kernel" : "userspace";

    private static string State(SessionView call) =>
        call.Streams.FirstOrDefault(s => s.State != "active")?.State ?? call.State;
}
