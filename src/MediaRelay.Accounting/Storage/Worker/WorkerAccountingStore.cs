using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using MediaRelay.Accounting.Wire;

namespace MediaRelay.Accounting.Storage.Worker;

/// <summary>
/// The relay's side of a store run by a separate process, its accounting worker, at a lower CPU priority than the
/// relay (<see cref="LowPriority"/>): the writer task hands it each batch and waits, without using a core, for the
/// worker's commit. The database's work (building the records and their JSON, SQLite's B-tree and file writes, or
/// the PostgreSQL client's) is then never done by a thread of the relay's process, so it neither takes the relay's
/// cores when offers need them nor lengthens the relay's garbage collections. The writer sees the same store as in
/// process: a batch is written when the worker says it is committed, and a failure is the worker's exception
/// message, with its advice. The worker is started at the first request, and again at the next request after it
/// died (never in a loop: the writer's retry timing applies). Where it cannot be started at all (the executable
/// gone, a sandbox forbidding it), the store says so once (<see cref="FellBack"/>) and writes from the relay's
/// process, as with <c>--accounting-worker off</c>. A cancelled request or a broken pipe ends it, so that
/// no reply can be taken for another request's. Threading: one request at a time (the writer's single task).
/// </summary>
public sealed class WorkerAccountingStore(IAccountingStore local, ProcessStartInfo start) : IAccountingStore
{
    private readonly ArrayBufferWriter<byte> _batch = new(1 << 20);
    private Process? _worker;
    private bool _inProcess;
    private int _foundVersion = AccountingSchema.Version;

    /// <summary>Called once when a worker cannot be started (with why); the store then writes from this process.</summary>
    public Action<string>? FellBack { get; init; }

    /// <summary>Called with the process id of each worker started.</summary>
    public Action<int>? Started { get; init; }

    /// <summary>The process id of the worker now running, or null.</summary>
    public int? WorkerId => _worker is { HasExited: false } worker ? worker.Id : null;

    public string Description => local.Description;

    public int FoundVersion => _foundVersion;

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (!_inProcess)
        {
            try
            {
                var reply = await RequestAsync(WorkerFrames.Open, WorkerFrames.BuildId.ToByteArray(), cancellationToken).ConfigureAwait(false);
                _foundVersion = reply.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(reply) : AccountingSchema.Version;
                return;
            }
            catch (WorkerNotStartedException)
            {
            }
        }

        await local.OpenAsync(cancellationToken).ConfigureAwait(false);
        _foundVersion = local.FoundVersion;
    }

    public async Task WriteAsync(IReadOnlyList<AccountingRecord> records, CancellationToken cancellationToken)
    {
        if (!_inProcess)
        {
            _batch.Clear();
            BinaryPrimitives.WriteInt32LittleEndian(_batch.GetSpan(4), records.Count);
            _batch.Advance(4);
            foreach (var record in records)
            {
                RecordCodec.Write(_batch, record);
            }

            if (await TryBatchAsync(WorkerFrames.Write, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        await local.WriteAsync(records, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes ended calls as they wait in the queue, encoded; the worker builds their records (with the ids they got
    /// when they ended, <paramref name="node"/>, and <paramref name="now"/> as the end of a call without one).
    /// </summary>
    internal async Task WriteCallsAsync(IReadOnlyList<PendingCall> calls, string node, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!_inProcess)
        {
            _batch.Clear();
            WireWriter.String(_batch, node);
            WireWriter.Time(_batch, now);
            WireWriter.Int32(_batch, calls.Count);
            foreach (var call in calls)
            {
                WireWriter.Bytes(_batch, call.Bytes);
            }

            if (await TryBatchAsync(WorkerFrames.WriteCalls, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        await local.WriteAsync(PendingCall.ToRecords(calls, node, now), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends the batch encoded in <c>_batch</c> to the worker; false when no worker could be started, the local store
    /// then open for the caller to write the batch itself.
    /// </summary>
    private async Task<bool> TryBatchAsync(byte kind, CancellationToken cancellationToken)
    {
        try
        {
            await RequestAsync(kind, _batch.WrittenMemory, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (WorkerNotStartedException)
        {
            await local.OpenAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>Reads go to the database from this process (the worker only writes).</summary>
    public Task<IReadOnlyList<AccountingRecord>> ReadAsync(AccountingQuery query, CancellationToken cancellationToken) =>
        local.ReadAsync(query, cancellationToken);

    public async ValueTask ResetAsync()
    {
        await local.ResetAsync().ConfigureAwait(false);
        if (_worker is not { HasExited: false })
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await RequestAsync(WorkerFrames.Reset, ReadOnlyMemory<byte>.Empty, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or AccountingWorkerException)
        {
            // RequestAsync has ended a worker that did not answer; the next open starts a new one.
        }
    }

    private async Task<byte[]> RequestAsync(byte kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (_worker is { HasExited: true })
        {
            await StopWorkerAsync(TimeSpan.Zero).ConfigureAwait(false); // Dead since the last request: its pipes are closed now.
        }

        var worker = _worker ?? StartWorker();

        // A cancellation (the stop's flush running out, a reset that timed out) also ends the worker: a pipe call that
        // no longer looks at the token once begun then ends too, and nothing of this worker is read again.
        using var cancel = cancellationToken.Register(static state => Kill((Process)state!), worker);
        try
        {
            await WorkerFrames.WriteAsync(worker.StandardInput.BaseStream, kind, payload, cancellationToken).ConfigureAwait(false);
            if (await WorkerFrames.ReadAsync(worker.StandardOutput.BaseStream, cancellationToken).ConfigureAwait(false) is not var (reply, body))
            {
                throw new EndOfStreamException("the accounting worker closed its output");
            }

            if (reply == WorkerFrames.Error)
            {
                var (reason, advice) = WorkerFrames.ReadError(body);
                throw new AccountingWorkerException(reason, advice);
            }

            return reply == WorkerFrames.Ok ? body : throw new IOException($"the accounting worker (pid {worker.Id}) answered with a frame of kind {reply}");
        }
        catch (Exception e) when (e is not AccountingWorkerException and not WorkerNotStartedException)
        {
            // Cancelled, a broken pipe, a frame out of place: this worker's next reply cannot be trusted to be the
            // next request's. What became of it is read before the process object is let go.
            var gone = e is IOException && !cancellationToken.IsCancellationRequested ? Gone(worker) : null;
            await StopWorkerAsync(TimeSpan.Zero).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (gone is not null)
            {
                throw new IOException(gone, e);
            }

            throw;
        }
    }

    private static string Gone(Process worker) =>
        worker.WaitForExit(1000) ? $"the accounting worker (pid {worker.Id}) exited with code {worker.ExitCode}; the relay starts it again" : $"the accounting worker (pid {worker.Id}) broke off a reply";

    private static void Kill(Process worker)
    {
        try
        {
            worker.Kill();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Gone already.
        }
    }

    private Process StartWorker()
    {
        var worker = new Process { StartInfo = start };
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = false; // Its own messages (a crash) go where the relay's go.
        start.UseShellExecute = false;
        try
        {
            worker.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            // From now on this store writes from the relay's process, as with --accounting-worker off.
            worker.Dispose();
            _inProcess = true;
            FellBack?.Invoke($"{start.FileName}: {e.Message}");
            throw new WorkerNotStartedException();
        }

        _worker = worker;
        Started?.Invoke(worker.Id);
        return worker;
    }

    /// <summary>Closes the worker's input, so that it ends once its request is done; waits at most <paramref name="grace"/>, then kills it.</summary>
    private async Task StopWorkerAsync(TimeSpan grace)
    {
        if (_worker is not { } worker)
        {
            return;
        }

        _worker = null;
        try
        {
            if (!worker.HasExited)
            {
                try
                {
                    worker.StandardInput.Close();
                }
                catch (IOException)
                {
                }

                using var wait = new CancellationTokenSource(grace);
                try
                {
                    await worker.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Kill(worker);
                    await worker.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            // Process.Dispose leaves a standard output that was read open: both pipes are closed here.
            worker.StandardInput.Dispose();
            worker.StandardOutput.Dispose();
            worker.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopWorkerAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        await local.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>The worker could not be started: the store writes from the relay's process instead.</summary>
internal sealed class WorkerNotStartedException : Exception;

/// <summary>A request the accounting worker answered with a failure: its reason, and what to do about it.</summary>
public sealed class AccountingWorkerException(string message, string? advice) : Exception(message)
{
    public string? Advice { get; } = advice;
}
