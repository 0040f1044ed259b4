using System.Data.Common;
using Npgsql;

namespace MediaRelay.Accounting.Storage;

/// <summary>
/// A PostgreSQL store, shared by several relays (<c>node</c> tells them apart): times are timestamptz, <c>info</c>
/// is jsonb. Two relays starting at once migrate one after the other (an advisory lock).
/// </summary>
public sealed class PostgresAccountingStore(string connectionString) : SqlAccountingStore
{
    /// <summary>The advisory lock key of the migrations ("MRAC").</summary>
    private const long MigrationLock = 0x4D524143;

    private readonly string _connectionString = WithDefaults(connectionString);

    public override string Description => "postgresql:" + AccountingTarget.Redact(connectionString);

    private static string WithDefaults(string text)
    {
        var builder = new NpgsqlConnectionStringBuilder(text);
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "mediarelay";
        }

        return builder.ToString();
    }

    protected override DbConnection CreateConnection() => new NpgsqlConnection(_connectionString);

    protected override string ColumnType(string placeholder) => placeholder switch
    {
        "id" => "BIGSERIAL PRIMARY KEY",
        "time" => "TIMESTAMPTZ",
        "real" => "DOUBLE PRECISION",
        "big" => "BIGINT",
        "json" => "JSONB",
        _ => "TEXT",
    };

    protected override string ParameterSql(string column) => column == "info" ? "CAST(@info AS jsonb)" : "@" + column;

    protected override object TimeValue(DateTimeOffset time) => time.UtcDateTime;

    protected override DateTimeOffset ReadTime(object value) => value switch
    {
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        DateTimeOffset time => time,
        _ => throw new InvalidCastException($"not a time: {value}"),
    };

    protected override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT pg_advisory_xact_lock(@key)");
        Add(command, "key", MigrationLock);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override void Forget(DbConnection connection)
    {
        if (connection is NpgsqlConnection npgsql)
        {
            NpgsqlConnection.ClearPool(npgsql);
        }
    }
}
