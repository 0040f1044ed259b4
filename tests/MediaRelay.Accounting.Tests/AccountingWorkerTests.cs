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
/// call's record with all its threads 5 nice steps below the relay's; killed, it is started again at the next batch and no record is lost;
/// it ends with the writer; and a relay started with its defaults writes through one, which outlives a SIGTERM of its
/// own (a service stop signals every process of the service) and ends with the relay. A worker that dies while the
/// writer waits for its reply is replaced and the batch goes in; one that hangs is ended at the stop's flush timeout
/// and its batch spooled.
/// </summary>
[Collection(AccountingCollection.Name)]
public sealed partial class AccountingWorkerTests
{
    [Fact]
    public async Task The_worker_writes_every_record_5_steps_below_the_relay_and_a_killed_worker_is_started_again_with_no_record_lost()
    {
        using var database = AccountingDatabase.Create("sqlite");
        var (store, started) = WorkerStore(database);
        var options = Options(database);
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
            Assert.All(nice, n => Assert.Equal(Expected, n));

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
    public async Task A_worker_that_dies_during_a_batch_is_replaced_and_one_that_hangs_does_not_hold_up_the_stop()
    {
        using var database = AccountingDatabase.Create("sqlite");
        var (store, started) = WorkerStore(database);
        var options = Options(database, flushTimeout: TimeSpan.FromSeconds(1));
        await using (var writer = new AccountingWriter(options, store, TimeProvider.System, NullLogger.Instance))
        {
            writer.Start();
            await WaitForAsync(() => writer.DatabaseUp, "the worker to open the database");
            writer.Record(Ended("before", packets: 1));
            await WaitForAsync(() => writer.Written == 1, "the first record");

            // Stopped, then killed while the writer waits for its reply: the batch goes in through a new worker.
            Signal("STOP", started[0]);
            for (var i = 0; i < 20; i++)
            {
                writer.Record(Ended($"during-{i:00}", packets: 100 + i));
            }

            await Task.Delay(500);
            Assert.Equal(1, writer.Written);
            Signal("KILL", started[0]);
            await WaitForAsync(() => writer.Written == 21, "the batch the killed worker had, through a new one");
            Assert.Equal(2, started.Count);
            Assert.Equal(0, writer.Spooled);

            // Stopped for good while it holds a batch: the stop gives up after its flush timeout, spools the batch,
            // and ends the worker.
            Signal("STOP", started[1]);
            for (var i = 0; i < 5; i++)
            {
                writer.Record(Ended($"hung-{i}", packets: 200 + i));
            }

            await Task.Delay(500);
            var clock = Stopwatch.StartNew();
            await writer.StopAsync();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the stop took {clock.Elapsed.TotalSeconds:F1} s with a hung worker");
            Assert.Equal(5, writer.Spooled);
            Assert.Equal(21, writer.Written);
        }

        await WaitForAsync(() => !Directory.Exists($"/proc/{started[1]}"), "the hung worker to be ended");
        Assert.Equal(5, database.SpoolLines);
        var records = await database.ReadAsync();
        Assert.Equal(21, records.Count);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => 100L + i).Append(1).Order(), records.Select(r => r.Packets).Order());
    }

    [Fact]
    public async Task A_worker_that_cannot_be_started_is_said_once_and_the_records_are_written_from_the_relays_process()
    {
        using var database = AccountingDatabase.Create("sqlite");
        var reasons = new List<string>();
        var missing = new ProcessStartInfo(Path.Combine(database.Directory, "no-such-mediarelay")) { ArgumentList = { "accounting-worker" } };
        var store = new WorkerAccountingStore(new SqliteAccountingStore(database.SqlitePath), missing) { FellBack = reasons.Add };
        var options = Options(database);
        await using (var writer = new AccountingWriter(options, store, TimeProvider.System, NullLogger.Instance))
        {
            writer.Start();
            await WaitForAsync(() => writer.DatabaseUp, "the store to open in process");
            for (var i = 0; i < 10; i++)
            {
                writer.Record(Ended($"local-{i}", packets: i));
            }

            await WaitForAsync(() => writer.Written == 10, "the 10 records");
            Assert.Equal(0, writer.Spooled);
        }

        Assert.Contains("no-such-mediarelay", Assert.Single(reasons), StringComparison.Ordinal);
        Assert.Equal(10, (await database.ReadAsync()).Count);
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
        Assert.Equal(Expected, int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.All(NiceOfEveryThread(pid), n => Assert.Equal(Expected, n));

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

    [GeneratedRegex(@"accounting: worker process (\d+) writes the database, at nice (\d+)")]
    private static partial Regex WorkerLine();

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>The worker's nice value: 5 steps below this process's (which the relay and the worker inherit).</summary>
    private static int Expected => Math.Min(19, LowPriority.OwnNice() + 5);

    /// <summary>A store writing through a real worker process into the test's SQLite file, and the worker pids it started.</summary>
    private static (WorkerAccountingStore Store, List<int> Started) WorkerStore(AccountingDatabase database)
    {
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
        return (store, started);
    }

    /// <summary>The writer's options for the test's database, with a short batch window.</summary>
    private static AccountingOptions Options(AccountingDatabase database, TimeSpan? flushTimeout = null) => new()
    {
        Target = new AccountingTarget(AccountingBackend.Sqlite, database.SqlitePath),
        SpoolPath = database.SpoolPath,
        BatchWindow = TimeSpan.FromMilliseconds(5),
        FlushTimeout = flushTimeout ?? new AccountingOptions().FlushTimeout,
    };

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
