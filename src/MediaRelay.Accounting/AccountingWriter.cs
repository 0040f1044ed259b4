using System.Threading.Channels;
using MediaRelay.Accounting.Storage;
using MediaRelay.Accounting.Storage.Worker;
using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Accounting;

/// <summary>
/// Writes one record per ended session, off the packet and control paths: the session-ended event only puts the
/// final statistics in a bounded queue; one writer task turns them into records and writes them in batches, one
/// transaction each. While the database fails (down, read-only, damaged), records go to the <see cref="Spool"/>
/// and the database is tried again (1 s, doubling to 10 s); once it takes a batch again, the spool is written to it.
/// A full queue sends records straight to the spool. Nothing waits for the database, and no record is dropped:
/// the only loss is a record neither the database nor the spool file could take by the end of the stop, which is
/// logged with its count. This class holds the queue, the batches and the spool's replay; the database's up and down
/// state is <see cref="DatabaseLink"/>'s, and the spool with its fallback to memory <see cref="SpoolWriter"/>'s.
/// </summary>
public sealed class AccountingWriter : IAsyncDisposable
{
    private readonly AccountingOptions _options;
    private readonly IAccountingStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<PendingCall> _queue;
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _stop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile TaskCompletionSource? _batchFull;
    private readonly DatabaseLink _database;
    private readonly SpoolWriter _spool;
    private readonly List<ISessionApi> _attached = [];
    private Task? _loop;
    private long _written;
    private int _queueFullReported;
    private volatile bool _stopping;

    public AccountingWriter(AccountingOptions options, IAccountingStore store, TimeProvider time, ILogger logger)
    {
        _options = options;
        _store = store;
        _time = time;
        _logger = logger;
        var preferred = options.Target.SpoolPath(options.SpoolPath);
        Spool = Spool.Choose(preferred, out var problem);
        var spoolProblem = problem is null ? null : Spool.Path == preferred ? $"{preferred}: {problem}" : preferred;
        _database = new DatabaseLink(store, options, time, logger, Spool, spoolProblem);
        _spool = new SpoolWriter(Spool, logger);
        _queue = Channel.CreateBounded<PendingCall>(new BoundedChannelOptions(Math.Max(1, options.QueueCapacity))
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public Spool Spool { get; }

    /// <summary>Records committed to the database (spooled ones included once replayed).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Records that went to the spool.</summary>
    public long Spooled => _spool.Spooled;

    /// <summary>True while the database takes records.</summary>
    public bool DatabaseUp => _database.Up;

    /// <summary>Records every session that <paramref name="sessions"/> ends from now on.</summary>
    public void Attach(ISessionApi sessions)
    {
        sessions.SessionEnded += Record;
        _attached.Add(sessions);
    }

    /// <summary>
    /// The session-ended handler: queues the final statistics, encoded outside the garbage-collected heap
    /// (<see cref="PendingCall"/>), and returns; never waits.
    /// </summary>
    public void Record(SessionStatistics call)
    {
        var now = _time.GetUtcNow();
        var recordId = AccountingRecord.NewId(call, now);
        var pending = PendingCall.Encode(recordId, call);
        if (_queue.Writer.TryWrite(pending))
        {
            // The writer gathers: a batch that is full now ends its window.
            if (_batchFull is { } full && _queue.Reader.Count >= _options.BatchSize)
            {
                full.TrySetResult();
            }

            return;
        }

        // The writer is far behind, or stopped: this record goes to the spool now.
        pending.Free();
        if (!_stopping && Interlocked.Exchange(ref _queueFullReported, 1) == 0)
        {
            AccountingLog.QueueFull(_logger, _options.QueueCapacity, _store.Description, Spool.Path);
        }

        _spool.Append([AccountingRecord.From(call, _options.Node, now, recordId)], sync: false);
    }

    /// <summary>Starts the writer task; the database is opened there, so a slow or absent one never delays the start.</summary>
    public void Start() => _loop ??= Task.Run(RunAsync);

    /// <summary>
    /// Stops taking records into the queue, writes what it holds (at most <see cref="AccountingOptions.FlushTimeout"/>;
    /// the rest goes to the spool) and logs the figures.
    /// </summary>
    public async Task StopAsync()
    {
        foreach (var sessions in _attached)
        {
            sessions.SessionEnded -= Record;
        }

        _attached.Clear();
        _stopping = true;
        _queue.Writer.TryComplete();
        _stop.TrySetResult();
        if (_loop is { } loop)
        {
            using var timeout = new CancellationTokenSource();
            var delay = Task.Delay(_options.FlushTimeout, _time, timeout.Token);
            if (await Task.WhenAny(loop, delay).ConfigureAwait(false) != loop)
            {
                AccountingLog.FlushTimedOut(_logger, _store.Description, _options.FlushTimeout.TotalSeconds, Spool.Path);
                await _abort.CancelAsync().ConfigureAwait(false);
            }

            await timeout.CancelAsync().ConfigureAwait(false);
            await loop.ConfigureAwait(false);
        }

        // Whatever is still in memory: one last try at the spool.
        var held = _spool.TakeHeld();
        if (held.Count > 0)
        {
            _spool.Append(held);
            if (_spool.Held is > 0 and var lost)
            {
                AccountingLog.Lost(_logger, lost, _store.Description, Spool.Path);
            }
        }

        AccountingLog.Stopped(_logger, Written, _store.Description, Spooled, Spool.Pending, Spool.Path);
    }

    private async Task RunAsync()
    {
        var abort = _abort.Token;
        var reader = _queue.Reader;
        try
        {
            await _database.TryOpenAsync(abort).ConfigureAwait(false);
            while (true)
            {
                if (!_database.Up && _time.GetUtcNow() >= _database.RetryAt)
                {
                    await _database.TryOpenAsync(abort).ConfigureAwait(false);
                }

                if (_database.Up)
                {
                    await DrainMemoryAsync(abort).ConfigureAwait(false);
                    if (_database.Up && Spool.Pending > 0)
                    {
                        await ReplayAsync(abort).ConfigureAwait(false);
                    }
                }

                if (!await WaitAsync(reader, abort).ConfigureAwait(false))
                {
                    break;
                }

                await GatherAsync(reader, abort).ConfigureAwait(false);
                var batch = new List<PendingCall>();
                while (batch.Count < _options.BatchSize && reader.TryRead(out var call))
                {
                    batch.Add(call);
                }

                await SaveAsync(batch, abort).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
        }
        finally
        {
            // Stopped before the queue was empty (the flush ran out of time): the rest goes to the spool.
            var rest = new List<PendingCall>();
            while (reader.TryRead(out var call))
            {
                rest.Add(call);
            }

            var records = PendingCall.ToRecords(rest, _options.Node, _time.GetUtcNow());
            PendingCall.FreeAll(rest);
            _spool.Append(records);
            await _store.ResetAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits for records, or for the time to try the database again; false once the queue is closed and empty.</summary>
    private async Task<bool> WaitAsync(ChannelReader<PendingCall> reader, CancellationToken abort)
    {
        var ready = reader.WaitToReadAsync(abort);
        if (ready.IsCompleted || _database.Up && _spool.Held == 0)
        {
            return await ready.ConfigureAwait(false);
        }

        var wait = _database.RetryAt - _time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            return true;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(abort);
        var readyTask = ready.AsTask();
        var delay = Task.Delay(wait, _time, cancel.Token);
        var first = await Task.WhenAny(readyTask, delay).ConfigureAwait(false);
        await cancel.CancelAsync().ConfigureAwait(false);
        abort.ThrowIfCancellationRequested();
        return first != readyTask || await readyTask.ConfigureAwait(false);
    }

    /// <summary>
    /// Lets records gather for <see cref="AccountingOptions.BatchWindow"/> after the first, so that they go in one
    /// transaction; not when a batch is already there, while the database is down (they go to the spool), or once the
    /// writer is stopping. The wait ends early when the stop begins or the batch fills (<see cref="Record"/> says so).
    /// </summary>
    private async Task GatherAsync(ChannelReader<PendingCall> reader, CancellationToken abort)
    {
        if (_options.BatchWindow <= TimeSpan.Zero || !_database.Up || _stopping)
        {
            return;
        }

        var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _batchFull = full;
        try
        {
            // Counted after the signal is set: a record that filled the batch just before is seen here, one after it signals.
            if (reader.Count >= _options.BatchSize)
            {
                return;
            }

            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(abort);
            var window = Task.Delay(_options.BatchWindow, _time, cancel.Token);
            await Task.WhenAny(window, _stop.Task, full.Task).ConfigureAwait(false);
            await cancel.CancelAsync().ConfigureAwait(false);
            abort.ThrowIfCancellationRequested();
        }
        finally
        {
            _batchFull = null;
        }
    }

    /// <summary>
    /// Writes a batch of waiting calls. Through the accounting worker the encoded calls go as they are, and the
    /// worker builds their records; to a store in this process the records are built here. Spooled when the
    /// database fails or is down. The calls' blocks are freed in the end, whatever happened.
    /// </summary>
    private async Task SaveAsync(List<PendingCall> calls, CancellationToken abort)
    {
        try
        {
            if (_database.Up && _store is WorkerAccountingStore worker)
            {
                var now = _time.GetUtcNow();
                await SaveAsync(calls.Count, ct => worker.WriteCallsAsync(calls, _options.Node, now, ct),
                    () => PendingCall.ToRecords(calls, _options.Node, now), abort).ConfigureAwait(false);
                return;
            }

            var records = PendingCall.ToRecords(calls, _options.Node, _time.GetUtcNow());
            await SaveAsync(records.Count, ct => _store.WriteAsync(records, ct), () => records, abort).ConfigureAwait(false);
        }
        finally
        {
            PendingCall.FreeAll(calls);
        }
    }

    private Task SaveAsync(List<AccountingRecord> batch, CancellationToken abort) =>
        SaveAsync(batch.Count, ct => _store.WriteAsync(batch, ct), () => batch, abort);

    /// <summary>
    /// Writes a batch of <paramref name="count"/> records with <paramref name="write"/>, or spools them (<paramref
    /// name="records"/>) when the database fails (or is down); a stop in the middle spools them too.
    /// </summary>
    private async Task SaveAsync(int count, Func<CancellationToken, Task> write, Func<List<AccountingRecord>> records, CancellationToken abort)
    {
        if (count == 0)
        {
            return;
        }

        if (_database.Up)
        {
            try
            {
                await write(abort).ConfigureAwait(false);
                Interlocked.Add(ref _written, count);
                return;
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                _spool.Append(records());
                throw;
            }
            catch (Exception e)
            {
                // A connection the server dropped while idle (a restart between two batches): one new try at once.
                if (!await RetryOnceAsync(count, write, records, abort).ConfigureAwait(false))
                {
                    await _database.DownAsync(e).ConfigureAwait(false);
                }
                else
                {
                    return;
                }
            }
        }

        _spool.Append(records());
    }

    private async Task<bool> RetryOnceAsync(int count, Func<CancellationToken, Task> write, Func<List<AccountingRecord>> records, CancellationToken abort)
    {
        try
        {
            await _store.ResetAsync().ConfigureAwait(false);
            await _store.OpenAsync(abort).ConfigureAwait(false);
            await write(abort).ConfigureAwait(false);
            Interlocked.Add(ref _written, count);
            return true;
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            _spool.Append(records());
            throw;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>Records that neither the database nor the spool took before: to the database now that it is up.</summary>
    private async Task DrainMemoryAsync(CancellationToken abort)
    {
        var held = _spool.TakeHeld();
        if (held.Count > 0)
        {
            await SaveAsync(held, abort).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the spool's records to the database, file by file, batch by batch.</summary>
    private async Task ReplayAsync(CancellationToken abort)
    {
        foreach (var file in Spool.TakeForReplay())
        {
            var bad = new List<string>();
            long records = 0;
            foreach (var batch in Spool.Read(file, _options.BatchSize, bad))
            {
                try
                {
                    await _store.WriteAsync(batch, abort).ConfigureAwait(false);
                }
                catch (Exception e) when (!abort.IsCancellationRequested)
                {
                    // The file stays as it is, for the next try; what went in is skipped then.
                    await _database.DownAsync(e).ConfigureAwait(false);
                    return;
                }

                records += batch.Count;
                Interlocked.Add(ref _written, batch.Count);
            }

            Spool.Finished(file, records, bad);
            if (bad.Count > 0)
            {
                AccountingLog.BadLines(_logger, bad.Count, file, Spool.Path + ".rejected");
            }

            AccountingLog.Replayed(_logger, records, _store.Description, file);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping)
        {
            await StopAsync().ConfigureAwait(false);
        }

        _abort.Dispose();
        await _store.DisposeAsync().ConfigureAwait(false);
    }
}
