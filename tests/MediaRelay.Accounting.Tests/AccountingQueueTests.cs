using System.Diagnostics;
using System.Net;
using MediaRelay.Accounting.Storage;
using MediaRelay.Accounting.Tests.Infrastructure;
using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;
using Microsoft.Extensions.Logging.Abstractions;

using static MediaRelay.Accounting.Tests.Infrastructure.EndedCalls;

namespace MediaRelay.Accounting.Tests;

/// <summary>
/// The writer in-process. Against a database that never answers (a server behind a dead route): the session-end
/// event never waits, a full queue spills into the spool, the stop's flush is bounded, and a later writer with a
/// working SQLite file puts every record in. Against a real SQLite file: the sessions that end within the batch
/// window share one transaction; a batch that is full, or fills during the window, does not wait for it, nor does a stop.
/// </summary>
[Collection(AccountingCollection.Name)]
public sealed class AccountingQueueTests
{
    [Fact]
    public async Task A_database_that_never_answers_holds_up_neither_the_calls_nor_the_stop_and_loses_no_record()
    {
        using var database = AccountingDatabase.Create("sqlite");
        var options = new AccountingOptions
        {
            Target = new AccountingTarget(AccountingBackend.Sqlite, database.SqlitePath),
            SpoolPath = database.SpoolPath,
            QueueCapacity = 5,
            FlushTimeout = TimeSpan.FromSeconds(1),
        };
        var hanging = new AccountingWriter(options, new HangingStore(), TimeProvider.System, NullLogger.Instance);
        hanging.Start();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            hanging.Record(Ended($"hang-{i:00}", packets: i));
        }

        // 50 session ends with the database hanging: the relay's thread was never held (the disk is the only wait).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"recording 50 ends took {clock.Elapsed.TotalMilliseconds:F0} ms");
        clock.Restart();
        await hanging.StopAsync();
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 5);
        Assert.Equal(50, database.SpoolLines);
        Assert.Equal(0, hanging.Written);

        // The next start, with a database that works: everything goes in, once.
        await using (var working = new AccountingWriter(options, new SqliteAccountingStore(database.SqlitePath), TimeProvider.System, NullLogger.Instance))
        {
            working.Start();
            working.Record(Ended("after", packets: 7));
            await working.StopAsync();
            Assert.Equal(51, working.Written);
        }

        var records = await database.ReadAsync();
        Assert.Equal(51, records.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"hang-{i:00}").Append("after").Order(StringComparer.Ordinal),
            records.Select(r => r.CallId).Order(StringComparer.Ordinal));
        Assert.All(records.Where(r => r.CallId != "after"), r => Assert.Equal(int.Parse(r.CallId[5..], System.Globalization.CultureInfo.InvariantCulture), r.Packets));
        Assert.Equal(0, database.SpoolLines);
        Assert.Empty(Directory.GetFiles(database.Directory, "*.replaying"));
    }

    [Fact]
    public async Task Sessions_ending_within_the_batch_window_share_one_transaction()
    {
        using var database = AccountingDatabase.Create("sqlite");
        var (store, writer) = await StartWriterAsync(database, batchSize: 500, TimeSpan.FromSeconds(2));
        await using var stopped = writer;

        // Ten calls end 20 ms apart: without the window the writer would wake for the first and write it alone.
        for (var i = 0; i < 10; i++)
        {
            writer.Record(Ended($"window-{i}", packets: i));
            await Task.Delay(20);
        }

        await WaitForAsync(() => writer.Written == 10);
        Assert.Equal([10], store.Batches);
        Assert.Equal(10, (await database.ReadAsync()).Count);
    }

    [Fact]
    public async Task A_full_batch_and_a_stop_do_not_wait_for_the_window()
    {
        using var database = AccountingDatabase.Create("sqlite");
        var (store, writer) = await StartWriterAsync(database, batchSize: 10, TimeSpan.FromMinutes(10));
        for (var i = 0; i < 30; i++)
        {
            writer.Record(Ended($"full-{i:00}", packets: i));
        }

        // Three full batches, each written as soon as it is there.
        await WaitForAsync(() => writer.Written == 30);
        Assert.Equal([10, 10, 10], store.Batches);

        // Three more wait for the ten-minute window; the stop writes them at once.
        for (var i = 0; i < 3; i++)
        {
            writer.Record(Ended($"late-{i}", packets: i));
        }

        var clock = Stopwatch.StartNew();
        await writer.StopAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the stop took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(33, writer.Written);
        Assert.Equal(33, (await database.ReadAsync()).Count);
        Assert.Equal(0, database.SpoolLines);
        await writer.DisposeAsync();
    }

    [Fact]
    public async Task A_batch_that_fills_during_the_window_is_written_at_once()
    {
        using var database = AccountingDatabase.Create("sqlite");
        var (store, writer) = await StartWriterAsync(database, batchSize: 10, TimeSpan.FromMinutes(10));
        await using var stopped = writer;

        // The first record opens a ten-minute window; the nine after it fill the batch, which goes at once.
        writer.Record(Ended("fill-0", packets: 0));
        await Task.Delay(200);
        for (var i = 1; i < 10; i++)
        {
            writer.Record(Ended($"fill-{i}", packets: i));
        }

        await WaitForAsync(() => writer.Written == 10);
        Assert.Equal([10], store.Batches);
    }

    /// <summary>A started writer on the SQLite file, its store counting batches; once the database is open.</summary>
    private static async Task<(CountingStore Store, AccountingWriter Writer)> StartWriterAsync(AccountingDatabase database, int batchSize, TimeSpan window)
    {
        var store = new CountingStore(new SqliteAccountingStore(database.SqlitePath));
        var options = new AccountingOptions
        {
            Target = new AccountingTarget(AccountingBackend.Sqlite, database.SqlitePath),
            SpoolPath = database.SpoolPath,
            BatchSize = batchSize,
            BatchWindow = window,
        };
        var writer = new AccountingWriter(options, store, TimeProvider.System, NullLogger.Instance);
        writer.Start();
        await WaitForAsync(() => writer.DatabaseUp);
        return (store, writer);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "the writer did not get there within 10 s");
            await Task.Delay(10);
        }
    }

    /// <summary>The real store, with the size of every batch written to it (one transaction each).</summary>
    private sealed class CountingStore(IAccountingStore inner) : IAccountingStore
    {
        private readonly List<int> _batches = [];

        public List<int> Batches
        {
            get
            {
                lock (_batches)
                {
                    return [.. _batches];
                }
            }
        }

        public string Description => inner.Description;

        public Task OpenAsync(CancellationToken cancellationToken) => inner.OpenAsync(cancellationToken);

        public async Task WriteAsync(IReadOnlyList<AccountingRecord> records, CancellationToken cancellationToken)
        {
            await inner.WriteAsync(records, cancellationToken);
            lock (_batches)
            {
                _batches.Add(records.Count);
            }
        }

        public Task<IReadOnlyList<AccountingRecord>> ReadAsync(AccountingQuery query, CancellationToken cancellationToken) => inner.ReadAsync(query, cancellationToken);

        public ValueTask ResetAsync() => inner.ResetAsync();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>A database that never answers: every call waits until it is cancelled.</summary>
    private sealed class HangingStore : IAccountingStore
    {
        public string Description => "hanging";

        public Task OpenAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

        public Task WriteAsync(IReadOnlyList<AccountingRecord> records, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

        public Task<IReadOnlyList<AccountingRecord>> ReadAsync(AccountingQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask ResetAsync() => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
