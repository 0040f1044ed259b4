using System.CommandLine;
using System.Globalization;
using MediaRelay.Accounting;
using MediaRelay.Accounting.Storage;
using MediaRelay.Host.Configuration;
using MediaRelay.Host.Hosting;
using Microsoft.Extensions.Configuration;

namespace MediaRelay.Host.Cli;

/// <summary>
/// `mediarelay accounting`: the newest accounting records, read straight from the database the relay writes (the
/// relay need not run), as a table; with --call-id, each stream's two directions too.
/// </summary>
internal static class AccountingCommand
{
    public static Command Create()
    {
        var callId = new Option<string?>("--call-id") { Description = "Only the records of this call-id (each direction of each stream shown too)." };
        var since = new Option<string?>("--since")
        {
            Description = "Only sessions that ended at or after TIME: ISO 8601 (2025-06-01T08:00, UTC unless an offset is given) or an age (90s, 15m, 2h, 7d).",
        };
        var limit = new Option<int?>("--limit") { Description = "At most this many records, newest first. Default 50." };
        var accounting = new Option<string?>("--accounting")
        {
            Description = $"The database: sqlite:PATH or postgresql:CONNSTRING. Default: the configuration's Accounting, else {AccountingTarget.DefaultText}.",
        };
        var spool = new Option<string?>("--accounting-spool") { Description = "The relay's spool file, to count the records waiting in it. Default: as the relay's." };
        var config = new Option<FileInfo?>("--config", "-c") { Description = $"The relay's configuration file. Default: {RunCommand.DefaultConfigPath} when it exists." };
        var command = new Command("accounting", "Show the accounting records of ended sessions: end time, call-id, tags, duration, end reason, packets, bytes, errors, kernel share, worst MOS.")
        {
            callId, since, limit, accounting, spool, config,
        };
        command.SetAction(async (result, cancellation) =>
        {
            try
            {
                var settings = Settings(result.GetValue(config)?.FullName);
                if (!AccountingTarget.TryParse(result.GetValue(accounting) ?? settings.Accounting, out var target, out var error))
                {
                    throw new CliException(error!);
                }

                if (target.Backend == AccountingBackend.Off)
                {
                    throw new CliException("accounting is off: give the database with --accounting sqlite:PATH or postgresql:CONNSTRING");
                }

                var query = new AccountingQuery
                {
                    CallId = result.GetValue(callId),
                    Since = result.GetValue(since) is { } text ? ParseSince(text, DateTimeOffset.UtcNow) : null,
                    Limit = Math.Clamp(result.GetValue(limit) ?? 50, 1, 100_000),
                    WithDirections = true,
                };
                IReadOnlyList<AccountingRecord> records;
                await using (var store = AccountingService.Store(target))
                {
                    try
                    {
                        records = await store.ReadAsync(query, cancellation).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException and not CliException)
                    {
                        throw new CliException($"cannot read {store.Description}: {e.Message.TrimEnd('.')}");
                    }
                }

                var output = Console.Out;
                await output.WriteAsync(query.CallId is null ? Table(records) : Detail(records)).ConfigureAwait(false);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{records.Count} record(s) in {target.Describe()}")).ConfigureAwait(false);
                var spoolPath = target.SpoolPath(result.GetValue(spool) ?? NullIfEmpty(settings.AccountingSpool));
                var waiting = Waiting(spoolPath);
                if (waiting > 0)
                {
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{waiting} record(s) wait in the spool {spoolPath} for the database (the relay writes them when it can)")).ConfigureAwait(false);
                }

                return 0;
            }
            catch (CliException e)
            {
                await Console.Error.WriteLineAsync("mediarelay: " + e.Message).ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    private static string? NullIfEmpty(string text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>The relay's settings as `run` reads them: the file, then MEDIARELAY_ variables.</summary>
    private static MediaRelaySettings Settings(string? path)
    {
        path ??= File.Exists(RunCommand.DefaultConfigPath) ? RunCommand.DefaultConfigPath : null;
        var builder = new ConfigurationBuilder();
        if (path is not null)
        {
            if (!File.Exists(path))
            {
                throw new CliException($"configuration file {path} does not exist");
            }

            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables("MEDIARELAY_");
        var settings = new MediaRelaySettings();
        try
        {
            builder.Build().GetSection("MediaRelay").Bind(settings);
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or FormatException)
        {
            throw new CliException($"configuration error: {e.Message}");
        }

        return settings;
    }

    /// <summary>An ISO 8601 time (UTC unless it has an offset), or an age before <paramref name="now"/>: 90s, 15m, 2h, 7d.</summary>
    public static DateTimeOffset ParseSince(string text, DateTimeOffset now)
    {
        var trimmed = text.Trim();
        if (trimmed.Length >= 2 && double.TryParse(trimmed[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
        {
            TimeSpan? age = char.ToLowerInvariant(trimmed[^1]) switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (age is { } span)
            {
                return now - span;
            }
        }

        if (DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        throw new CliException($"--since '{text}' is not a time: give ISO 8601 (2025-06-01T08:00, 2025-06-01 08:00:00+02:00) or an age (90s, 15m, 2h, 7d)");
    }

    public static string Table(IEnumerable<AccountingRecord> records)
    {
        var table = new TextTable("ENDED (UTC)", "CALL-ID", "FROM-TAG", "TO-TAG", "DURATION", "REASON", "STREAMS", "PACKETS", "BYTES", "ERRORS", "KERNEL", "MOS");
        foreach (var r in records)
        {
            table.Add(Time(r.EndTime), r.CallId, r.FromTag ?? "-", r.ToTag ?? "-", TextTable.Duration(r.Duration), r.EndReason,
                r.Streams.ToString(CultureInfo.InvariantCulture), TextTable.Number(r.Packets), TextTable.Bytes(r.Bytes), TextTable.Number(r.Errors),
                Share(r.KernelPackets, r.Packets), Mos(r.Directions));
        }

        return table.Count == 0 ? "no accounting records\n" : table.ToString();
    }

    /// <summary>Each record, then its streams' directions.</summary>
    public static string Detail(IEnumerable<AccountingRecord> records)
    {
        var text = new System.Text.StringBuilder();
        foreach (var r in records)
        {
            text.Append(Table([r]));
            if (r.FromUri is not null || r.ToUri is not null)
            {
                text.Append("from ").Append(r.FromUri ?? "-").Append(" to ").Append(r.ToUri ?? "-").Append('\n');
            }

            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"started {Time(r.StartTime)}, timeout wait {r.TimeoutWait:0.###} s, node {r.Node}, record {r.RecordId}\n"));
            var table = new TextTable("STREAM", "DIRECTION", "TYPE", "CODEC", "SOURCE", "RELAY-IN", "RELAY-OUT", "DESTINATION", "INTERFACES",
                "PACKETS", "BYTES", "KERNEL", "ERRORS", "LOSS", "JITTER", "MOS");
            foreach (var d in r.Directions)
            {
                table.Add(d.StreamIndex.ToString(CultureInfo.InvariantCulture), d.Direction, d.MediaType, d.Codec ?? "-",
                    d.SourceLearned ?? (d.SourceSdp is null ? "-" : d.SourceSdp + " (sdp)"), d.RelayIn ?? "-", d.RelayOut ?? "-", d.Destination ?? "-",
                    d.InterfaceIn == d.InterfaceOut ? d.InterfaceIn ?? "-" : $"{d.InterfaceIn}>{d.InterfaceOut}",
                    TextTable.Number(d.RtpPackets + d.RtcpPackets), TextTable.Bytes(d.RtpBytes + d.RtcpBytes),
                    Share(d.RtpKernelPackets + d.RtcpKernelPackets, d.RtpPackets + d.RtcpPackets), TextTable.Number(d.RtpErrors + d.RtcpErrors),
                    d.LossPercent.ToString("0.0", CultureInfo.InvariantCulture) + "%", d.JitterMs.ToString("0.0", CultureInfo.InvariantCulture) + " ms",
                    d.Mos?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-");
            }

            text.Append(table).Append('\n');
        }

        return text.Length == 0 ? "no accounting records\n" : text.ToString();
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Share(long part, long whole) =>
        whole == 0 ? "-" : (100.0 * part / whole).ToString("0", CultureInfo.InvariantCulture) + "%";

    private static string Mos(IReadOnlyList<DirectionRecord> directions)
    {
        var rated = directions.Where(d => d.Mos is not null).Select(d => d.Mos!.Value).ToList();
        return rated.Count == 0 ? "-" : rated.Min().ToString("0.0", CultureInfo.InvariantCulture);
    }

    /// <summary>Records in the spool and its unfinished replays.</summary>
    private static long Waiting(string spoolPath)
    {
        try
        {
            return File.Exists(spoolPath) || Directory.Exists(Path.GetDirectoryName(spoolPath))
                ? new Spool(spoolPath).Pending
                : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
