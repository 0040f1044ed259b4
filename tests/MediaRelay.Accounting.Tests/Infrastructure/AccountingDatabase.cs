using MediaRelay.Accounting.Storage;
using Microsoft.Data.Sqlite;

namespace MediaRelay.Accounting.Tests.Infrastructure;

/// <summary>
/// The database a test's relay writes to: a new SQLite file in a directory of its own, or a new PostgreSQL server.
/// Read back through the same store code the `mediarelay accounting` verb uses, and counted with plain SQL.
/// </summary>
internal sealed class AccountingDatabase : IDisposable
{
    private AccountingDatabase(string directory, PostgresServer? postgres)
    {
        Directory = directory;
        Postgres = postgres;
    }

    /// <summary>A directory of the test's own (the SQLite file and the spool live here).</summary>
    public string Directory { get; }

    public PostgresServer? Postgres { get; }

    public string SqlitePath => Path.Combine(Directory, "sessions.db");

    /// <summary>Where the relay spools (given with --accounting-spool, so that it is known for either backend).</summary>
    public string SpoolPath => Path.Combine(Directory, "accounting.spool");

    /// <summary>The relay's --accounting value.</summary>
    public string Argument => Postgres is { } server ? "postgresql:" + server.ConnectionString : "sqlite:" + SqlitePath;

    /// <summary>The relay's accounting arguments.</summary>
    public string[] RelayArguments => ["--accounting", Argument, "--accounting-spool", SpoolPath];

    public static AccountingDatabase Create(string backend)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("mediarelay-acct-").FullName;
        return new AccountingDatabase(directory, backend == "postgresql" ? PostgresServer.Create() : null);
    }

    public SqlAccountingStore Store() => Postgres is { } server ? new PostgresAccountingStore(server.ConnectionString) : new SqliteAccountingStore(SqlitePath);

    /// <summary>Every record, newest first, with its directions.</summary>
    public async Task<IReadOnlyList<AccountingRecord>> ReadAsync(string? callId = null)
    {
        await using var store = Store();
        return await store.ReadAsync(new AccountingQuery { CallId = callId, Limit = 10_000, WithDirections = true }, CancellationToken.None);
    }

    /// <summary>One value of plain SQL.</summary>
    public long Scalar(string sql)
    {
        if (Postgres is { } server)
        {
            using var connection = server.Connect();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        using var sqlite = new SqliteConnection($"Data Source={SqlitePath};Mode=ReadOnly;Pooling=False");
        sqlite.Open();
        using var query = sqlite.CreateCommand();
        query.CommandText = sql;
        return Convert.ToInt64(query.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>One text value of plain SQL on the SQLite file.</summary>
    public string? Text(string sql)
    {
        using var sqlite = new SqliteConnection($"Data Source={SqlitePath};Mode=ReadOnly;Pooling=False");
        sqlite.Open();
        using var query = sqlite.CreateCommand();
        query.CommandText = sql;
        return query.ExecuteScalar() as string;
    }

    /// <summary>Lines in the spool file (records waiting), 0 when there is none.</summary>
    public int SpoolLines => File.Exists(SpoolPath) ? File.ReadAllLines(SpoolPath).Count(l => l.Length > 0) : 0;

    public void Dispose()
    {
        Postgres?.Dispose();
        SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
