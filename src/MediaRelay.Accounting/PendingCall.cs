using System.Buffers;
using System.Runtime.InteropServices;
using MediaRelay.Accounting.Wire;
using MediaRelay.Core.Statistics;

namespace MediaRelay.Accounting;

/// <summary>
/// An ended call waiting in the accounting queue: its statistics and record id encoded (<see cref="CallCodec"/>) in
/// a block of native memory. While the writer gathers a batch, or waits for the database or the worker, nothing of
/// the call is on the garbage-collected heap: thousands of waiting calls are never promoted and copied by the
/// relay's collections. Owned by one party at a time (the queue, then the writer); <see cref="Free"/> exactly once.
/// </summary>
internal readonly unsafe struct PendingCall
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_encoder;

    private readonly byte* _bytes;

    private PendingCall(byte* bytes, int length)
    {
        _bytes = bytes;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Bytes => new(_bytes, Length);

    /// <summary>Encodes the call (on the thread that ended it: a buffer per thread, then one native block).</summary>
    public static PendingCall Encode(Guid recordId, SessionStatistics call)
    {
        var encoder = t_encoder ??= new ArrayBufferWriter<byte>(4096);
        encoder.ResetWrittenCount();
        CallCodec.Write(encoder, recordId, call);
        var length = encoder.WrittenCount;
        var bytes = (byte*)NativeMemory.Alloc((nuint)length);
        encoder.WrittenSpan.CopyTo(new Span<byte>(bytes, length));
        return new PendingCall(bytes, length);
    }

    /// <summary>The record of the call, built now (<see cref="AccountingRecord.From(SessionStatistics, string, DateTimeOffset, Guid)"/>); null if the bytes are not a call (never, from <see cref="Encode"/>).</summary>
    public AccountingRecord? ToRecord(string node, DateTimeOffset now) =>
        CallCodec.TryRead(Bytes, out var recordId, out var call) ? AccountingRecord.From(call, node, now, recordId) : null;

    /// <summary>The records of <paramref name="calls"/>, built now; a block that is not a call (never) gives none.</summary>
    public static List<AccountingRecord> ToRecords(IReadOnlyList<PendingCall> calls, string node, DateTimeOffset now)
    {
        var records = new List<AccountingRecord>(calls.Count);
        foreach (var call in calls)
        {
            if (call.ToRecord(node, now) is { } record)
            {
                records.Add(record);
            }
        }

        return records;
    }

    public void Free() => NativeMemory.Free(_bytes);

    public static void FreeAll(IReadOnlyList<PendingCall> calls)
    {
        foreach (var call in calls)
        {
            call.Free();
        }
    }
}
