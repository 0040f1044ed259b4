using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MediaRelay.Accounting.Storage;

/// <summary>
/// The default store: one SQLite file (created with its directory). Times are ISO 8601 UTC text, which sorts as
/// time does; <c>info</c> is JSON text (SQLite's json functions read it). The file is in WAL mode with
/// <c>synchronous = NORMAL</c>: a batch's commit appends to the write-ahead log without waiting for the disk, so a
/// record costs the relay a few microseconds, and a report reading the file (the <c>accounting</c> verb, sqlite3)
/// never holds up the writer nor is held up by it. A crash of the relay loses no committed record; only a power cut
/// or a kernel crash can lose the last batches before a checkpoint, as with any database not syncing every commit.
/// </summary>
public sealed class SqliteAccountingStore(string path) : SqlAccountingStore
{
    /// <summary>How long a write waits for another writer (another relay or the CLI) to let go of the file; longer,
    /// and the batch goes to the spool. Short, so that a stop's flush is never held up for long.</summary>
    private const int BusySeconds = 5;

    private SqliteInserts? _inserts;

    public string Path { get; } = path;

    public override string Description => "sqlite:" + Path;

    protected override DbConnection CreateConnection() => new SqliteConnection(new SqliteConnectionStringBuilder
    {
        DataSource = Path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        // A replaced or repaired file is opened afresh after a failure, never through a pooled handle.
        Pooling = false,
        DefaultTimeout = BusySeconds,
    }.ToString());

    public override async Task OpenAsync(CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await base.OpenAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ConnectForReadingAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            throw new FileNotFoundException($"there is no accounting database at {Path} (the relay creates it when it starts)", Path);
        }

        await base.ConnectForReadingAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // SQLite opens a file it may not write read-only, without a word: say so now, not at the first record.
        if (connection is SqliteConnection { Handle: { } handle } && SQLitePCL.raw.sqlite3_db_readonly(handle, "main") == 1)
        {
            throw new SqliteException("SQLite Error 8: 'attempt to write a readonly database'.", 8);
        }

        return PragmasAsync(connection, cancellationToken);
    }

    /// <summary>
    /// The page size of a new file. A one-stream call's session row is about 2.2 kB, most of it the info JSON: a page
    /// of SQLite's default 4 KiB holds one, nearly half of it empty, and the WAL and then the checkpoint write every
    /// page in full; a page of 8 KiB holds three. With 8 KiB pages a batch of a hundred records costs about 20 µs of
    /// CPU a record instead of 27, and the file and its WAL hold 3.4 kB a call instead of 4.8 (docs/BENCHMARKS.md). A
    /// record alone in its transaction (calls ending far apart) costs about a fifth more time; larger pages gain no
    /// more and cost that more still. SQLite applies it only to a file with nothing in it yet: an existing file keeps
    /// its pages.
    /// </summary>
    public const int PageSize = 8192;

    private static async Task PragmasAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // Before anything is written (the WAL switch writes the header): later, SQLite ignores it.
        await ExecuteAsync(connection, null, $"PRAGMA page_size = {PageSize}", cancellationToken).ConfigureAwait(false);
        // Kept in the file once set; where the file system cannot share memory (some network mounts), SQLite stays in
        // its rollback journal, which works as well, only slower.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "PRAGMA synchronous = NORMAL", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "PRAGMA foreign_keys = ON", cancellationToken).ConfigureAwait(false);
        // The batch insert runs on SQLite's own API, where the provider's retry loop does not reach: SQLite waits for
        // another writer itself, as long as the provider would (DefaultTimeout).
        if (connection is SqliteConnection { Handle: { } handle })
        {
            SQLitePCL.raw.sqlite3_busy_timeout(handle, BusySeconds * 1000);
        }
    }

    protected override Task InsertAsync(DbConnection connection, IReadOnlyList<AccountingRecord> records, CancellationToken cancellationToken)
    {
        _inserts ??= new SqliteInserts(((SqliteConnection)connection).Handle!,
            InsertSql("media_sessions", [.. AccountingSchema.SessionColumns.Select(c => c.Name)], "(record_id)"),
            InsertSql("media_streams", ["record_id", .. AccountingSchema.DirectionColumns.Select(c => c.Name)], "(record_id, stream_index, direction)"),
            TimeValue);
        _inserts.Insert(records);
        return Task.CompletedTask;
    }

    protected override void Closing(DbConnection connection)
    {
        _inserts?.Dispose();
        _inserts = null;
    }

    protected override string ColumnType(string placeholder) => placeholder switch
    {
        "id" => "INTEGER PRIMARY KEY AUTOINCREMENT",
        "time" => "TEXT",
        "real" => "REAL",
        "big" => "INTEGER",
        _ => "TEXT",
    };

    protected override object TimeValue(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    protected override DateTimeOffset ReadTime(object value) =>
        DateTimeOffset.Parse((string)value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>A sentence on what to do about an SQLite error, by its code; null when there is nothing to add.</summary>
    public static string? Advice(Exception error) => error switch
    {
        SqliteException { SqliteErrorCode: 8 } => "the file or its directory is read-only for the relay: make both writable by its user, or give another file with --accounting sqlite:PATH",
        SqliteException { SqliteErrorCode: 11 or 26 } => "the file is damaged or is not an SQLite database: move it away and the relay creates a new one, or give another file with --accounting sqlite:PATH",
        SqliteException { SqliteErrorCode: 13 } => "the disk is full",
        SqliteException { SqliteErrorCode: 14 } => "the file cannot be opened: check that its directory exists and is writable",
        SqliteException { SqliteErrorCode: 5 or 6 } => "another process holds the file locked",
        Worker.AccountingWorkerException { Advice: { } text } => text,
        UnauthorizedAccessException => "the relay may not create the file or its directory: create the directory for its user, or give another file with --accounting sqlite:PATH",
        _ => null,
    };
}
