using System.Diagnostics;
using MediaRelay.Accounting.Storage;
using MediaRelay.Accounting.Tests.Infrastructure;
using MediaRelay.Management.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace MediaRelay.Accounting.Tests;

/// <summary>
/// Issue 12, accounting when the database fails: a PostgreSQL server stopped in the middle of a run, a damaged
/// SQLite file, a read-only one. The relay keeps relaying calls, says once and clearly what is wrong, keeps the
/// records in its spool, and every one of them reaches the database once it can be written again: none is lost,
/// none is written twice.
/// </summary>
[Collection(AccountingCollection.Name)]
public sealed class AccountingFaultTests
{
    [Fact]
    public async Task A_postgresql_server_stopped_in_the_middle_of_a_run_loses_no_record_once_it_is_back()
    {
        using var database = AccountingDatabase.Create("postgresql");
        using (var relay = await RunningRelay.StartAsync(40, null, database.RelayArguments))
        {
            await RelayControl.WaitForLogAsync(relay.Process, "accounting: every ended session is recorded in postgresql:");
            await CallsAsync(relay, "before", 5);
            await EventuallyAsync(() => Count(database) == 5, "the first 5 records in PostgreSQL");

            database.Postgres!.Stop();
            await CallsAsync(relay, "during", 10);
            await RelayControl.WaitForLogAsync(relay.Process, "accounting: cannot write postgresql:Host=127.0.0.1");
            await EventuallyAsync(() => database.SpoolLines == 10, "the 10 records of the outage in the spool");
            // One line about the outage, however many records and retries it takes.
            Assert.Single(Lines(relay.Process.Log, "accounting: cannot write"));

            database.Postgres.Start();
            await RelayControl.WaitForLogAsync(relay.Process, "is back (schema version 1); writing the 10 record(s) of the spool");
            await RelayControl.WaitForLogAsync(relay.Process, "accounting: 10 spooled record(s) written to postgresql:");
            await CallsAsync(relay, "after", 5);
            Assert.Equal(0, await RelayControl.StopAsync(relay.Process));
        }

        // Lost: nothing. Every call has exactly one record, with its media.
        var records = await database.ReadAsync();
        var expected = Names("before", 5).Concat(Names("during", 10)).Concat(Names("after", 5)).Order(StringComparer.Ordinal);
        Assert.Equal(expected, records.Select(r => r.CallId).Order(StringComparer.Ordinal));
        Assert.All(records, r => Assert.Equal((40, 40 * 172, "closed"), (r.Packets, r.Bytes, r.EndReason)));
        Assert.Equal(20, database.Scalar("SELECT COUNT(DISTINCT record_id) FROM media_sessions"));
        Assert.Equal(40, database.Scalar("SELECT COUNT(*) FROM media_streams"));
        Assert.Equal(0, database.SpoolLines);
    }

    [Fact]
    public async Task A_damaged_sqlite_file_gives_one_clear_line_and_spooling_and_its_records_go_in_after_a_restart_once_it_is_replaced()
    {
        using var database = AccountingDatabase.Create("sqlite");
        var junk = string.Concat(Enumerable.Repeat("this is not an SQLite database\n", 200));
        await File.WriteAllTextAsync(database.SqlitePath, junk);
        using (var relay = await RunningRelay.StartAsync(40, null, database.RelayArguments))
        {
            await RelayControl.WaitForLogAsync(relay.Process,
                $"accounting: cannot write sqlite:{database.SqlitePath}: SQLite Error 26: 'file is not a database' (the file is damaged or is not an SQLite database: move it away");
            await CallsAsync(relay, "damaged", 3);
            await EventuallyAsync(() => database.SpoolLines == 3, "3 records in the spool");
            Assert.True(await relay.Ng.PingAsync(TimeSpan.FromSeconds(2), CancellationToken.None), "the relay stopped answering ng");
            Assert.Equal(0, await RelayControl.StopAsync(relay.Process));
            Assert.Contains("accounting: 0 record(s) written to sqlite:", relay.Process.Log, StringComparison.Ordinal);
            Assert.Contains("3 spooled, 3 waiting in the spool " + database.SpoolPath, relay.Process.Log, StringComparison.Ordinal);
            Assert.Single(Lines(relay.Process.Log, "accounting: cannot write"));
        }

        // The relay never wrote over the operator's file.
        Assert.Equal(junk, await File.ReadAllTextAsync(database.SqlitePath));
        var (exit, output) = await CliRun.RunAsync("accounting", "--accounting", database.Argument, "--accounting-spool", database.SpoolPath);
        Assert.Equal(1, exit);
        Assert.Contains("mediarelay: cannot read sqlite:" + database.SqlitePath, output, StringComparison.Ordinal);

        // The operator moves it away; the next start creates a new database and writes the spooled records.
        File.Move(database.SqlitePath, database.SqlitePath + ".damaged");
        using (var relay = await RunningRelay.StartAsync(40, null, database.RelayArguments))
        {
            await RelayControl.WaitForLogAsync(relay.Process, "accounting: 3 spooled record(s) written to sqlite:" + database.SqlitePath);
            Assert.Equal(0, await RelayControl.StopAsync(relay.Process));
        }

        var records = await database.ReadAsync();
        Assert.Equal(Names("damaged", 3), records.Select(r => r.CallId).Order(StringComparer.Ordinal));
        Assert.All(records, r => Assert.Equal((40, "closed"), (r.Packets, r.EndReason)));
        Assert.Equal(0, database.SpoolLines);
    }

    [Fact]
    public async Task A_read_only_sqlite_file_gives_one_clear_line_and_spooling_and_its_records_go_in_once_it_is_writable()
    {
        using var database = AccountingDatabase.Create("sqlite");
        await using (var store = new SqliteAccountingStore(database.SqlitePath))
        {
            await store.OpenAsync(CancellationToken.None);
        }

        // Immutable: not even root may write it (file permissions would not stop the root that runs the tests).
        Chattr("+i", database.SqlitePath);
        try
        {
            using var relay = await RunningRelay.StartAsync(40, null, database.RelayArguments);
            // Said at the start, before any call ends.
            await RelayControl.WaitForLogAsync(relay.Process,
                $"accounting: cannot write sqlite:{database.SqlitePath}: SQLite Error 8: 'attempt to write a readonly database' (the file or its directory is read-only for the relay");
            await CallsAsync(relay, "readonly", 3);
            await EventuallyAsync(() => database.SpoolLines == 3, "3 records in the spool");
            Assert.Equal(0, database.Scalar("SELECT COUNT(*) FROM media_sessions"));

            Chattr("-i", database.SqlitePath);
            await RelayControl.WaitForLogAsync(relay.Process, "accounting: 3 spooled record(s) written to sqlite:" + database.SqlitePath);
            await CallsAsync(relay, "writable", 2);
            Assert.Equal(0, await RelayControl.StopAsync(relay.Process));
            Assert.Single(Lines(relay.Process.Log, "accounting: cannot write"));
        }
        finally
        {
            Chattr("-i", database.SqlitePath);
        }

        var records = await database.ReadAsync();
        Assert.Equal(Names("readonly", 3).Concat(Names("writable", 2)).Order(StringComparer.Ordinal), records.Select(r => r.CallId).Order(StringComparer.Ordinal));
        Assert.All(records, r => Assert.Equal((40, "closed"), (r.Packets, r.EndReason)));
        Assert.Equal(0, database.SpoolLines);
    }

    [Fact]
    public async Task A_report_reading_the_sqlite_file_while_calls_end_sends_no_record_to_the_spool()
    {
        using var database = AccountingDatabase.Create("sqlite");
        using var relay = await RunningRelay.StartAsync(40, null, database.RelayArguments);
        await RelayControl.WaitForLogAsync(relay.Process, "accounting: every ended session is recorded in sqlite:");
        await CallsAsync(relay, "before", 2);
        await EventuallyAsync(() => Count(database) == 2, "the first 2 records in the file");

        // A long report: its read transaction stays open while more calls end. With a rollback journal, the relay's
        // commit would wait for it for the busy timeout (5 s) and then spool; in WAL mode both go on at once.
        using (var report = new SqliteConnection($"Data Source={database.SqlitePath};Pooling=False"))
        {
            report.Open();
            using var transaction = report.BeginTransaction(deferred: true);
            using (var read = report.CreateCommand())
            {
                read.Transaction = transaction;
                read.CommandText = "SELECT COUNT(*) FROM media_sessions";
                Assert.Equal(2L, read.ExecuteScalar());
            }

            await CallsAsync(relay, "during", 3);
            await EventuallyAsync(() => Count(database) == 5, "the 3 records of the calls that ended during the report", seconds: 4);
            Assert.Equal(0, database.SpoolLines);
        }

        Assert.Equal("wal", database.Text("PRAGMA journal_mode"));
        Assert.Equal(0, await RelayControl.StopAsync(relay.Process));
        Assert.Contains("accounting: 5 record(s) written to sqlite:", relay.Process.Log, StringComparison.Ordinal);
    }

    /// <summary>Calls PREFIX-1..N: each set up, 20 RTP packets each way relayed, then deleted over ng.</summary>
    private static async Task CallsAsync(RunningRelay relay, string prefix, int count)
    {
        foreach (var name in Names(prefix, count))
        {
            using var call = await MediaCall.StartAsync(relay, name);
            Assert.Equal((20, 20), call.Exchange(20, 20));
            await RelayControl.DeleteAsync(relay, name);
        }
    }

    private static IEnumerable<string> Names(string prefix, int count) => Enumerable.Range(1, count).Select(i => $"{prefix}-{i:00}");

    private static long Count(AccountingDatabase database) => database.Scalar("SELECT COUNT(*) FROM media_sessions");

    private static string[] Lines(string log, string text) => [.. log.Split('\n').Where(l => l.Contains(text, StringComparison.Ordinal))];

    private static async Task EventuallyAsync(Func<bool> condition, string what, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {seconds} s: {what}");
            await Task.Delay(100);
        }
    }

    private static void Chattr(string flag, string path)
    {
        using var process = Process.Start("chattr", [flag, path]);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"chattr {flag} {path} failed (needs root and a file system with attributes, such as ext4)");
    }
}
