using BenchmarkDotNet.Attributes;
using MediaRelay.Accounting;
using MediaRelay.Accounting.Storage;

namespace MediaRelay.Benchmarks;

/// <summary>
/// What one ended call's accounting record costs the relay with the default store: a SQLite file (WAL), records of
/// one audio stream (a session row and two direction rows, an info JSON of about 700 bytes) written in batches as the
/// accounting writer does. Time per record: <c>dotnet run -c Release --project bench/MediaRelay.Benchmarks -- --filter '*Accounting*'</c>.
/// </summary>
[MemoryDiagnoser]
public class AccountingBenchmarks : IAsyncDisposable
{
    private const int Records = 2000;
    private readonly string _directory = Directory.CreateTempSubdirectory("mediarelay-acct-bench-").FullName;
    private readonly string _info = "{\"streams\":[{\"caller\":{\"quality\":{\"mos\":4.3}}}],\"pad\":\"" + new string('x', 600) + "\"}";
    private SqliteAccountingStore? _store;
    private AccountingRecord[] _records = [];
    private int _round;

    /// <summary>Records per transaction: 1 when calls end one by one, hundreds when many end together.</summary>
    [Params(1, 100)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _store = new SqliteAccountingStore(Path.Combine(_directory, $"sessions-{Batch}.db"));
        _store.OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    [IterationSetup]
    public void NewRecords()
    {
        // New record ids every iteration: a record already in the file would be skipped, not written.
        _round++;
        _records = new AccountingRecord[Records];
        for (var i = 0; i < Records; i++)
        {
            _records[i] = Make($"call-{_round}-{i}");
        }
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public async Task WriteRecord()
    {
        for (var start = 0; start < Records; start += Batch)
        {
            await _store!.WriteAsync(new ArraySegment<AccountingRecord>(_records, start, Batch), CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [GlobalCleanup]
    public void Cleanup() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private AccountingRecord Make(string callId) => new()
    {
        RecordId = Guid.NewGuid().ToString("N"),
        Node = "relay1",
        CallId = callId,
        FromTag = "from-tag",
        ToTag = "to-tag",
        StartTime = DateTimeOffset.UtcNow.AddMinutes(-3),
        EndTime = DateTimeOffset.UtcNow,
        Duration = 180,
        EndReason = "closed",
        Streams = 1,
        Packets = 18_000,
        Bytes = 3_096_000,
        Info = _info,
        Directions =
        [
            Direction(DirectionRecord.CallerToCallee),
            Direction(DirectionRecord.CalleeToCaller),
        ],
    };

    private static DirectionRecord Direction(string direction) => new()
    {
        StreamIndex = 0,
        Direction = direction,
        MediaType = "audio",
        Codec = "PCMU/8000",
        Protocol = "RTP/AVP",
        SourceLearned = "192.0.2.10:4000",
        RelayIn = "198.51.100.1:20000",
        RelayOut = "198.51.100.1:20002",
        Destination = "192.0.2.20:5000",
        RtpPackets = 9_000,
        RtpBytes = 1_548_000,
        Ssrc = 0x1234_5678,
        JitterMs = 1.5,
        Mos = 4.3,
    };
}
