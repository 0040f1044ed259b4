using System.Net;
using BenchmarkDotNet.Attributes;
using MediaRelay.Accounting;
using MediaRelay.Accounting.Storage;
using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;
using Microsoft.Data.Sqlite;

namespace MediaRelay.Benchmarks;

/// <summary>
/// What one ended call's accounting record costs the relay with the default store: a SQLite file (WAL), records of
/// one audio stream as the relay makes them (a session row with an info JSON of about 2 kB, and two direction rows)
/// written in batches as the accounting writer does, into a file the store created (8 KiB pages) and into one made
/// with SQLite's default 4 KiB pages (a file from before, which keeps them). Time per record:
/// <c>dotnet run -c Release --project bench/MediaRelay.Benchmarks -- --filter '*Accounting*'</c>.
/// </summary>
[MemoryDiagnoser]
public class AccountingBenchmarks : IAsyncDisposable
{
    private const int Records = 2000;
    private readonly string _directory = Directory.CreateTempSubdirectory("mediarelay-acct-bench-").FullName;
    private readonly AccountingRecord _template = Template();
    private SqliteAccountingStore? _store;
    private AccountingRecord[] _records = [];
    private int _round;

    /// <summary>Records per transaction: 1 when calls end one by one, hundreds when many end together.</summary>
    [Params(1, 100, 500)]
    public int Batch { get; set; }

    /// <summary>The file's page size: 0 for a file the store creates, 4096 for one made before with SQLite's default.</summary>
    [Params(0, 4096)]
    public int FilePageSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(_directory, $"sessions-{Batch}-{FilePageSize}.db");
        if (FilePageSize != 0)
        {
            using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA page_size = {FilePageSize}; PRAGMA journal_mode = WAL";
            command.ExecuteNonQuery();
        }

        _store = new SqliteAccountingStore(path);
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
            // Time-ordered ids, as the relay makes them (AccountingRecord.From): random ones would scatter the inserts.
            _records[i] = _template with { RecordId = Guid.CreateVersion7().ToString("N"), CallId = $"call-{_round}-{i}" };
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

    /// <summary>A call of one audio stream that ended after three minutes, recorded as the relay records it.</summary>
    private static AccountingRecord Template()
    {
        var end = DateTimeOffset.UtcNow;
        SubPartyStatistics Side(int port) =>
            new(new IPEndPoint(IPAddress.Parse("198.51.100.1"), port), new IPEndPoint(IPAddress.Parse("192.0.2.10"), port + 1000), null, 9_000, 1_548_000, 0, 0, 0, 0);
        var caller = new PartyStatistics(PartyRole.Caller, "from-tag", MediaDirection.SendRecv, Side(20000), Side(20001));
        var callee = new PartyStatistics(PartyRole.Callee, "to-tag", MediaDirection.SendRecv, Side(20002), Side(20003));
        var stream = new StreamStatistics(0, "audio", "PCMU", end.AddMinutes(-3), EndReason.Closed, TimeSpan.Zero, caller, callee);
        var call = new SessionStatistics("call", "from-tag", "to-tag", end.AddMinutes(-3), end, EndReason.Closed, TimeSpan.Zero, [stream]);
        return AccountingRecord.From(call, "relay1", end);
    }
}
