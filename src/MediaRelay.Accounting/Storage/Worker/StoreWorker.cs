using System.Buffers.Binary;
using MediaRelay.Accounting.Wire;

namespace MediaRelay.Accounting.Storage.Worker;

/// <summary>
/// The accounting store worker's side (<c>mediarelay accounting-worker</c>, which the relay starts): takes the
/// relay's requests from <paramref name="input"/>, does them on the store, answers on <paramref name="output"/>, and
/// ends when the relay closes its side (a relay that exits or dies closes it too). A store failure is an answer,
/// not an end: the relay decides what to do about it, as it does with a store in its own process. Every thread of
/// the process runs at a lower priority than the relay's (<see cref="LowPriority"/>).
/// </summary>
public static class StoreWorker
{
    public static async Task RunAsync(IAccountingStore store, Stream input, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        LowPriority.Apply();
        while (await WorkerFrames.ReadAsync(input, cancellationToken).ConfigureAwait(false) is var (kind, payload))
        {
            var (reply, body) = await DoAsync(store, kind, payload, cancellationToken).ConfigureAwait(false);
            await WorkerFrames.WriteAsync(output, reply, body, cancellationToken).ConfigureAwait(false);
            // Threads the runtime started since (the thread pool's, for an asynchronous store) take the low priority too.
            LowPriority.Apply();
        }
    }

    private static async Task<(byte Kind, byte[] Body)> DoAsync(IAccountingStore store, byte kind, byte[] payload, CancellationToken cancellationToken)
    {
        try
        {
            switch (kind)
            {
                case WorkerFrames.Open:
                    if (payload.Length != 16 || new Guid(payload) != WorkerFrames.BuildId)
                    {
                        return (WorkerFrames.Error, WorkerFrames.ErrorPayload(
                            "the accounting worker is another build than the relay (its executable was replaced while the relay ran)",
                            "restart the relay; until then its records wait in the spool"));
                    }

                    await store.OpenAsync(cancellationToken).ConfigureAwait(false);
                    var version = new byte[4];
                    BinaryPrimitives.WriteInt32LittleEndian(version, store.FoundVersion);
                    return (WorkerFrames.Ok, version);
                case WorkerFrames.Write:
                    if (!TryReadBatch(payload, out var records))
                    {
                        return (WorkerFrames.Error, WorkerFrames.ErrorPayload("the accounting worker could not read the batch the relay sent (the relay and the worker are not the same build?)", null));
                    }

                    await store.WriteAsync(records, cancellationToken).ConfigureAwait(false);
                    return (WorkerFrames.Ok, []);
                case WorkerFrames.WriteCalls:
                    if (!TryReadCalls(payload, out var built))
                    {
                        return (WorkerFrames.Error, WorkerFrames.ErrorPayload("the accounting worker could not read the calls the relay sent (the relay and the worker are not the same build?)", null));
                    }

                    await store.WriteAsync(built, cancellationToken).ConfigureAwait(false);
                    return (WorkerFrames.Ok, []);
                case WorkerFrames.Reset:
                    await store.ResetAsync().ConfigureAwait(false);
                    return (WorkerFrames.Ok, []);
                default:
                    return (WorkerFrames.Error, WorkerFrames.ErrorPayload($"the accounting worker got a request it does not know ({kind})", null));
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return (WorkerFrames.Error, WorkerFrames.ErrorPayload(DatabaseLink.Describe(e), SqliteAccountingStore.Advice(e)));
        }
    }

    /// <summary>The records of a <see cref="WorkerFrames.WriteCalls"/> payload, built here.</summary>
    internal static bool TryReadCalls(ReadOnlySpan<byte> payload, out List<AccountingRecord> records)
    {
        records = [];
        var r = new WireReader(payload);
        var node = r.String();
        var now = r.Time();
        var count = r.Int32();
        if (!r.Ok || node is null || count < 0 || count > r.Left / 4)
        {
            return false;
        }

        records.Capacity = count;
        for (var i = 0; i < count; i++)
        {
            var bytes = r.Take(r.Int32());
            if (!r.Ok || !CallCodec.TryRead(bytes, out var recordId, out var call))
            {
                return false;
            }

            records.Add(AccountingRecord.From(call, node, now, recordId));
        }

        return r.Left == 0;
    }

    internal static bool TryReadBatch(ReadOnlySpan<byte> payload, out List<AccountingRecord> records)
    {
        records = [];
        if (payload.Length < 4)
        {
            return false;
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(payload);
        payload = payload[4..];
        if (count < 0 || count > payload.Length / 4)
        {
            return false;
        }

        records.Capacity = count;
        for (var i = 0; i < count; i++)
        {
            if (!RecordCodec.TryRead(ref payload, out var record))
            {
                return false;
            }

            records.Add(record);
        }

        return payload.IsEmpty;
    }
}
