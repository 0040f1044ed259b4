using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MediaRelay.Accounting.Storage;
using MediaRelay.Accounting.Storage.Worker;
using MediaRelay.Accounting.Tests.Infrastructure;
using MediaRelay.Management.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

using static MediaRelay.Accounting.Tests.Infrastructure.EndedCalls;

namespace MediaRelay.Accounting.Tests;

/// <summary>
/// The accounting worker, a real `mediarelay accounting-worker` process writing a real SQLite file: it writes every
/// call's record with all its threads at nice 5; killed, it is started again at the next batch and no record is lost;
/// it ends with the writer; and a relay started with its defaults writes through one, which outlives a SIGTERM of its
/// own (a service stop signals every process of the service) and ends with the relay.
/// </summary>
[Collection(AccountingCollection.Name)]
public sealed partial class AccountingWorkerTests
{
    [Fact]
    public async Task The_worker_writes_every_record_at_nice_5_and_a_killed_worker_is_started_again_with_no_record_lost()
    {
        using var database = AccountingDatabase.Create("sqlite");
        var started = new List<int>();
        var store = new WorkerAccountingStore(new SqliteAccountingStore(database.SqlitePath), WorkerStart(database.SqlitePath))
        {
            Started = pid =>
            {
                lock (started)
                {
                    started.Add(pid);
                }
            },
        };
        var options = new AccountingOptions
        {
            Target = new AccountingTarget(AccountingBackend.Sqlite, database.SqlitePath),
            SpoolPath = database.SpoolPath,
            BatchWindow = TimeSpan.FromMilliseconds(5),
        };
        var writer = new AccountingWriter(options, store, TimeProvider.System, NullLogger.Instance);
        await using (writer)
        {
            writer.Start();
            await WaitForAsync(() => writer.DatabaseUp, "the worker to open the database");
            for (var i = 0; i < 100; i++)
            {
                writer.Record(Ended($"first-{i:000}", packets: i));
            }

            await WaitForAsync(() => writer.Written == 100, "the first 100 records");
            var first = Assert.Single(started);
            Assert.Equal(first, store.WorkerId);
            var nice = NiceOfEveryThread(first);
            Assert.True(nice.Count > 3, $"the worker has {nice.Count} threads");
            Assert.All(nice, n => Assert.Equal(LowPriority.Nice, n));

            // Killed between two batches: the next batch starts a new worker, and goes in through it.
            using (var kill = Process.Start("kill", ["-KILL", first.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await WaitForAsync(() => !Directory.Exists($"/proc/{first}"), "the killed worker to be gone");
            for (var i = 0; i < 50; i++)
            {
                writer.Record(Ended($"second-{i:000}", packets: 1000 + i));
            }

            await WaitForAsync(() => writer.Written == 150, "the 50 records after the kill");
            Assert.Equal(2, started.Count);
            Assert.Equal(0, writer.Spooled);
            await writer.StopAsync();
        }

        // The writer's end closed the worker's input: it has ended.
        await WaitForAsync(() => !Directory.Exists($"/proc/{started[1]}"), "the second worker to end with the writer");
        var records = await database.ReadAsync();
        Assert.Equal(150, records.Count);
        Assert.Equal(150, records.Select(r => r.RecordId).Distinct().Count());
        Assert.All(records, r => Assert.Equal(r.CallId.StartsWith("first-", StringComparison.Ordinal)
            ? int.Parse(r.CallId[6..], CultureInfo.InvariantCulture) : 1000 + int.Parse(r.CallId[7..], CultureInfo.InvariantCulture), r.Packets));
        Assert.Equal(0, database.SpoolLines);
    }

    [Fact]
    public async Task A_relay_started_with_its_defaults_writes_through_a_worker_that_ends_with_it()
    {
        using var database = AccountingDatabase.Create("sqlite");
        using var relay = await RunningRelay.StartAsync(40, null, database.RelayArguments);
        await RelayControl.WaitForLogAsync(relay.Process, "accounting: every ended session is recorded in sqlite:");
        var match = WorkerLine().Match(relay.Process.Log);
        Assert.True(match.Success, "no worker line in the relay's log:\n" + relay.Process.Log);
        var pid = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.All(NiceOfEveryThread(pid), n => Assert.Equal(LowPriority.Nice, n));

        // A service stop signals the whole control group: the worker outlives the signal, for the relay's last flush.
        using (var term = Process.Start("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        await Task.Delay(500);
        Assert.True(Directory.Exists($"/proc/{pid}"), "the worker ended on SIGTERM");

        using (var call = await MediaCall.StartAsync(relay, "through-the-worker"))
        {
            Assert.Equal((20, 20), call.Exchange(20, 20));
            await RelayControl.DeleteAsync(relay, "through-the-worker");
        }

        await WaitForAsync(() => database.Scalar("SELECT COUNT(*) FROM media_sessions") == 1, "the call's record");
        Assert.Equal(0, await RelayControl.StopAsync(relay.Process));
        await WaitForAsync(() => !Directory.Exists($"/proc/{pid}"), "the worker to end with the relay");
        var record = Assert.Single(await database.ReadAsync());
        Assert.Equal(("through-the-worker", 40L), (record.CallId, record.Packets));
    }

    [GeneratedRegex(@"accounting: worker process (\d+) writes the database, at nice 5")]
    private static partial Regex WorkerLine();

    private static ProcessStartInfo WorkerStart(string sqlitePath)
    {
        var start = new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(AppContext.BaseDirectory, "mediarelay.dll"), "accounting-worker" } };
        start.Environment["MEDIARELAY_ACCOUNTING_WORKER_TARGET"] = "sqlite:" + sqlitePath;
        return start;
    }

    /// <summary>The nice value of each thread of a process (/proc/PID/task/TID/stat, field 19).</summary>
    private static List<int> NiceOfEveryThread(int pid)
    {
        var values = new List<int>();
        foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            var stat = File.ReadAllText(Path.Combine(task, "stat"));
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            values.Add(int.Parse(rest[16], CultureInfo.InvariantCulture));
        }

        return values;
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), $"waited 20 s for {what}");
            await Task.Delay(20);
        }
    }
}
