using System.CommandLine;
using System.Globalization;
using System.Text;
using MediaRelay.Management.Api;

namespace MediaRelay.Host.Cli;

/// <summary>`mediarelay stats`: the relay's summary and counters.</summary>
internal static class StatsCommand
{
    public static Command Create() => ManagementVerb.Create("stats", "Show a relay's summary: status, uptime, calls, streams, traffic and ports.",
        async (_, client, output, cancellation) =>
        {
            var summary = await client.SummaryAsync(cancellation).ConfigureAwait(false);
            await output.WriteAsync(Describe(summary, client.BaseAddress)).ConfigureAwait(false);
            return 0;
        });

    public static string Describe(SummaryView s, Uri relay)
    {
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        var streams = s.StreamCount.Count == 0 ? "none" : string.Join(", ", s.StreamCount.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Value} {p.Key}"));
        text.Append(invariant, $"relay           {relay} ({s.Ip}), version {s.Version}\n");
        text.Append(invariant, $"status          {s.Status}, up {TextTable.Duration(s.Uptime)}\n");
        text.Append(invariant, $"sessions        {s.SessionCount} running, {s.SessionsTotal} since start, {s.SessionsEnded} ended ({s.SessionsTimedOut} timed out)\n");
        text.Append(invariant, $"streams         {streams}; {s.UserspaceStreams} in user space, {s.KernelStreams} in the kernel\n");
        text.Append(invariant, $"relayed now     {s.PacketsPerSecond:F0} packets/s, {TextTable.Bits(s.BpsRelayed)}\n");
        text.Append(invariant, $"relayed total   {TextTable.Number(s.PacketsTotal)} packets ({TextTable.Number(s.KernelPacketsTotal)} in the kernel), {TextTable.Bytes(s.BytesTotal)}, {TextTable.Number(s.PacketErrorsTotal)} dropped\n");
        text.Append(invariant, $"ports           {s.PortsUsed} used, {s.PortsFree} free of {s.PortsTotal}\n");
        return text.ToString();
    }
}
