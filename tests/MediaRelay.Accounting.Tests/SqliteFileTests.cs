using System.Net;
using MediaRelay.Accounting.Storage;
using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;
using Microsoft.Data.Sqlite;

namespace MediaRelay.Accounting.Tests;

/// <summary>The SQLite file's page size: 8 KiB for a new file, whatever it was for one that exists.</summary>
public sealed class SqliteFileTests : IDisposable
{
    private const long Calls = 1000;

    private readonly string _directory = Directory.CreateTempSubdirectory("mediarelay-sqlite-file-").FullName;

    private string FilePath => Path.Combine(_directory, "sessions.db");

    [Fact]
    public async Task A_new_file_has_8_KiB_pages_and_holds_a_call_in_under_4_kB()
    {
        await WriteAsync("new-file", Calls);

        Assert.Equal(SqliteAccountingStore.PageSize, Scalar("PRAGMA page_size"));
        Assert.Equal("wal", Text("PRAGMA journal_mode"));
        Assert.Equal(Calls, Scalar("SELECT COUNT(*) FROM media_sessions WHERE call_id LIKE 'new-file-%'"));
        Assert.Equal(2 * Calls, Scalar("SELECT COUNT(*) FROM media_streams"));
        // An 8 KiB page holds three session rows (about 2.2 kB each, most of it the info JSON): about 3.3 kB of file a
        // call with the stream rows and the indexes. A 4 KiB page held one, nearly half of it empty: about 5 kB.
        var bytesPerCall = Scalar("PRAGMA page_count") * Scalar("PRAGMA page_size") / Calls;
        Assert.InRange(bytesPerCall, 2000, 4000);
    }

    [Fact]
    public async Task A_file_made_with_4_KiB_pages_keeps_them_and_takes_records()
    {
        using (var connection = new SqliteConnection($"Data Source={FilePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE kept (x INTEGER)";
            command.ExecuteNonQuery();
        }

        await WriteAsync("old-file", Calls);

        Assert.Equal(4096L, Scalar("PRAGMA page_size"));
        Assert.Equal(Calls, Scalar("SELECT COUNT(*) FROM media_sessions WHERE call_id LIKE 'old-file-%'"));
        Assert.Equal(2 * Calls, Scalar("SELECT COUNT(*) FROM media_streams"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Calls PREFIX-0.. of one audio stream each, as the relay records them when they end, in one batch.</summary>
    private async Task WriteAsync(string prefix, long calls)
    {
        var records = new List<AccountingRecord>();
        for (var i = 0; i < calls; i++)
        {
            records.Add(Record($"{prefix}-{i}"));
        }

        await using var store = new SqliteAccountingStore(FilePath);
        await store.OpenAsync(CancellationToken.None);
        await store.WriteAsync(records, CancellationToken.None);
    }

    private static AccountingRecord Record(string callId)
    {
        var now = DateTimeOffset.UtcNow;
        SubPartyStatistics Side(int port) =>
            new(new IPEndPoint(IPAddress.Loopback, port), new IPEndPoint(IPAddress.Parse("192.0.2.10"), port + 1000), null, 500, 86_000, 0, 0, 0, 0);
        var caller = new PartyStatistics(PartyRole.Caller, "from-tag", MediaDirection.SendRecv, Side(40000), Side(40001));
        var callee = new PartyStatistics(PartyRole.Callee, "to-tag", MediaDirection.SendRecv, Side(40002), Side(40003));
        var stream = new StreamStatistics(0, "audio", "PCMU", now.AddSeconds(-9), EndReason.Closed, TimeSpan.Zero, caller, callee);
        var call = new SessionStatistics(callId, "from-tag", "to-tag", now.AddSeconds(-10), now, EndReason.Closed, TimeSpan.Zero, [stream]);
        var record = AccountingRecord.From(call, "node-1", now);
        // The size the page arithmetic above assumes: above about 2.6 kB only two session rows fit an 8 KiB page.
        Assert.InRange(record.Info.Length, 1500, 2600);
        return record;
    }

    private long Scalar(string sql) => (long)Query(sql)!;

    private string? Text(string sql) => Query(sql) as string;

    private object? Query(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={FilePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
