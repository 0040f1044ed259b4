using System.CommandLine;
using System.Globalization;
using System.Text;
using MediaRelay.Management.Api;

namespace MediaRelay.Host.Cli;

/// <summary>`mediarelay session CALLID`: everything the relay knows about one call.</summary>
internal static class SessionCommand
{
    public static Command Create()
    {
        var callId = new Argument<string>("CALLID") { Description = "The call's Call-ID." };
        return ManagementVerb.Create("session", "Show one call: tags, times, and per stream its codec, state, path and both parties' addresses and counters.",
            async (result, client, output, cancellation) =>
            {
                var call = await client.SessionAsync(result.GetValue(callId)!, cancellation).ConfigureAwait(false);
                await output.WriteAsync(Describe(call)).ConfigureAwait(false);
                return 0;
            },
            callId);
    }

    public static string Describe(SessionView call)
    {
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        text.Append(invariant, $"call-id   {call.CallId}\n");
        text.Append(invariant, $"tags      {call.FromTag ?? "-"} -> {call.ToTag ?? "-"}\n");
        text.Append(invariant, $"created   {call.Created:yyyy-MM-dd HH:mm:ss}Z, {TextTable.Duration(call.Duration)} ago; last signal {call.LastSignal:HH:mm:ss}Z\n");
        text.Append(invariant, $"state     {call.State}\n");
        text.Append(invariant, $"totals    {TextTable.Number(call.Packets)} packets, {TextTable.Bytes(call.Bytes)}, {TextTable.Number(call.Errors)} errors, {TextTable.Number(call.KernelPackets)} in the kernel\n");
        foreach (var stream in call.Streams)
        {
            text.Append(invariant, $"\nstream {stream.Index}  {stream.Type} {stream.Codec ?? "(no media yet)"} {stream.Protocol}  {stream.State}, {(stream.Latched ? "latched" : "not latched")}, {stream.Path}");
            text.Append(invariant, $"{(stream.KernelDirections > 0 ? $" ({stream.KernelDirections} of 4 directions)" : "")}\n");
            var table = new TextTable("PARTY", "TAG", "FLOW", "RELAY", "LEARNED", "SDP", "PACKETS", "BYTES", "ERRORS", "KERNEL");
            foreach (var (name, party) in new[] { ("caller", stream.Caller), ("callee", stream.Callee) })
            {
                foreach (var (flow, view) in new[] { ("rtp", party.Rtp), ("rtcp", party.Rtcp) })
                {
                    table.Add(flow == "rtp" ? $"{name} ({party.Direction}, {party.Interface})" : "", flow == "rtp" ? party.Tag ?? "-" : "", flow, view.Relay,
                        view.Learned ?? "-", view.Sdp ?? "-", TextTable.Number(view.Packets), TextTable.Bytes(view.Bytes), TextTable.Number(view.Errors),
                        TextTable.Number(view.KernelPackets));
                }
            }

            text.Append(table);
        }

        return text.ToString();
    }
}
