using System.Buffers;
using System.Net;
using System.Text.Json;
using MediaRelay.Accounting.Storage.Worker;
using MediaRelay.Accounting.Wire;
using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;

namespace MediaRelay.Accounting.Tests;

/// <summary>
/// The binary forms between the relay and its accounting worker, and of the calls waiting in the relay's queue: a
/// call read back gives the very record the original gives (compared as the spool's JSON, so that a field the codec
/// forgot shows up), over calls that vary every field; cut at every length, or poisoned, they are refused and never throw.
/// </summary>
public sealed class AccountingWireTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_call_read_back_gives_the_record_the_original_gives()
    {
        for (var i = 0; i < 60; i++)
        {
            var call = Varied(i);
            var id = AccountingRecord.NewId(call, Now);
            var bytes = Encode(w => CallCodec.Write(w, id, call));
            Assert.True(CallCodec.TryRead(bytes, out var readId, out var read), $"call {i} was not read back");
            Assert.Equal(id, readId);
            Assert.Equal(Json(AccountingRecord.From(call, "node", Now, id)), Json(AccountingRecord.From(read, "node", Now, readId)));
            Assert.Equal(call.TotalBytes, read.TotalBytes);
        }
    }

    [Fact]
    public void A_record_read_back_is_the_record_written()
    {
        var records = Enumerable.Range(0, 60).Select(i => AccountingRecord.From(Varied(i), "node-" + i, Now)).ToList();
        var bytes = Encode(w =>
        {
            foreach (var record in records)
            {
                RecordCodec.Write(w, record);
            }
        });
        ReadOnlySpan<byte> rest = bytes;
        foreach (var record in records)
        {
            Assert.True(RecordCodec.TryRead(ref rest, out var read));
            Assert.Equal(Json(record), Json(read));
            Assert.Equal(record.Info, read.Info);
        }

        Assert.True(rest.IsEmpty);
    }

    [Fact]
    public void A_batch_of_calls_as_the_relay_sends_it_becomes_their_records_in_the_worker()
    {
        var calls = Enumerable.Range(0, 20).Select(Varied).ToList();
        var ids = calls.Select(c => AccountingRecord.NewId(c, Now)).ToList();
        var payload = Encode(w =>
        {
            WireWriter.String(w, "relay-7");
            WireWriter.Time(w, Now);
            WireWriter.Int32(w, calls.Count);
            for (var i = 0; i < calls.Count; i++)
            {
                WireWriter.Bytes(w, Encode(x => CallCodec.Write(x, ids[i], calls[i])));
            }
        });
        Assert.True(StoreWorker.TryReadCalls(payload, out var records));
        Assert.Equal(calls.Select((c, i) => Json(AccountingRecord.From(c, "relay-7", Now, ids[i]))), records.Select(Json));

        // One byte more or less is not a batch.
        Assert.False(StoreWorker.TryReadCalls(payload.AsSpan(0, payload.Length - 1), out _));
        Assert.False(StoreWorker.TryReadCalls([.. payload, 0], out _));
    }

    [Fact]
    public void A_call_or_record_cut_at_any_length_is_refused()
    {
        var call = Varied(7);
        var bytes = Encode(w => CallCodec.Write(w, Guid.CreateVersion7(), call));
        var record = Encode(w => RecordCodec.Write(w, AccountingRecord.From(call, "node", Now)));
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(CallCodec.TryRead(bytes.AsSpan(0, length), out _, out _), $"a call cut at {length} of {bytes.Length} bytes was taken");
        }

        for (var length = 0; length < record.Length; length++)
        {
            ReadOnlySpan<byte> cut = record.AsSpan(0, length);
            Assert.False(RecordCodec.TryRead(ref cut, out _), $"a record cut at {length} of {record.Length} bytes was taken");
        }
    }

    [Fact]
    public void Poisoned_and_random_bytes_never_throw()
    {
        var random = new Random(20261130);
        var call = Encode(w => CallCodec.Write(w, Guid.CreateVersion7(), Varied(5)));
        var record = Encode(w => RecordCodec.Write(w, AccountingRecord.From(Varied(5), "node", Now)));
        for (var round = 0; round < 20_000; round++)
        {
            var source = round % 3 == 0 ? call : round % 3 == 1 ? record : new byte[random.Next(0, 400)];
            var bytes = source.ToArray();
            if (round % 3 == 2)
            {
                random.NextBytes(bytes);
            }
            else
            {
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }
            }

            _ = CallCodec.TryRead(bytes, out _, out _);
            ReadOnlySpan<byte> span = bytes;
            _ = RecordCodec.TryRead(ref span, out _);
            _ = StoreWorker.TryReadCalls(bytes, out _);
            _ = StoreWorker.TryReadBatch(bytes, out _);
        }
    }

    private static byte[] Encode(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static string Json(AccountingRecord record) => JsonSerializer.Serialize(record, StatisticsJson.Options);

    /// <summary>Calls that vary every field: null and not, IPv4, IPv6 with a scope, none, NaN and infinities, 0-2 streams.</summary>
    private static SessionStatistics Varied(int i)
    {
        var now = Now.AddTicks(i * 7).ToOffset(TimeSpan.FromMinutes(i % 2 == 0 ? 0 : 90));
        SubPartyStatistics Side(int port, long count) => new(
            new IPEndPoint(i % 2 == 0 ? IPAddress.IPv6Loopback : IPAddress.Parse("203.0.113.9"), port),
            i % 3 == 0 ? null : new IPEndPoint(i % 4 == 1 ? IPAddress.Parse("fe80::1%3") : IPAddress.Parse("2001:db8::7"), port + 1000),
            i % 5 == 0 ? null : new IPEndPoint(IPAddress.Loopback, 9), count, count * 172, i, i * 2, i * 3, i * 4);
        var quality = new QualityStatistics((uint)(0xFFFF0000 + i), i, i / 2, i % 4 == 0 ? double.NaN : i * 0.123456789,
            i % 6 == 0 ? double.PositiveInfinity : 1e-7 * i, i % 2 == 0 ? null : 3.5, -i, i % 3 == 0 ? null : 12.25,
            i % 7 == 0 ? double.NegativeInfinity : 0.001, i % 2 == 0 ? null : 4.41);
        var caller = new PartyStatistics(PartyRole.Caller, i % 4 == 0 ? null : "tâg \"q\" <x>", (MediaDirection)(i % 4), Side(40000, i), Side(40001, 0))
        {
            Quality = quality,
            Advertised = i % 2 == 0 ? null : i % 3 == 0 ? IPAddress.Parse("2001:db8::1") : IPAddress.Parse("198.51.100.1"),
            Interface = i % 2 == 0 ? "default" : "ext",
        };
        var callee = new PartyStatistics(PartyRole.Callee, "b", MediaDirection.SendRecv, Side(40002, 0), Side(40003, 0));
        var streams = Enumerable.Range(0, i % 3).Select(k => new StreamStatistics(k, k == 0 ? "audio" : "video", k == 1 ? null : "PCMU",
            i % 2 == 0 ? null : now, (EndReason)(i % 5), TimeSpan.FromTicks(i * 12345), caller, callee)
        {
            Protocol = "RTP/SAVPF",
            OnHold = i % 2 == 0,
            KernelDirections = k,
        }).ToArray();
        return new SessionStatistics($"odd-{i}-✓", i % 3 == 0 ? null : "a", null, now.AddSeconds(-i), i % 2 == 0 ? null : now,
            (EndReason)(i % 6), TimeSpan.FromMilliseconds(i * 1.5), streams)
        {
            LastSignal = i % 2 == 0 ? null : now,
            FromUri = i % 3 == 0 ? null : "sip:a@example.com",
            ToUri = "<sip:b@example.com>",
        };
    }
}
