using System.Data.Common;
using System.Globalization;
using System.Text;

namespace MediaRelay.Accounting.Storage;

/// <summary>
/// What the SQLite and PostgreSQL stores share: the schema and its migrations, batched inserts in one transaction
/// (skipping records already written), and the reads of the CLI. One connection, kept open between batches and
/// dropped after any failure.
/// </summary>
public abstract class SqlAccountingStore : IAccountingStore
{
    private DbConnection? _connection;

    public abstract string Description { get; }

    /// <summary>The schema version found before this relay migrated it (0: a new database).</summary>
    public int FoundVersion { get; private set; }

    protected abstract DbConnection CreateConnection();

    /// <summary>The column type for a placeholder of <see cref="AccountingSchema"/>: id, time, real, big or json.</summary>
    protected abstract string ColumnType(string placeholder);

    protected abstract object TimeValue(DateTimeOffset time);

    protected abstract DateTimeOffset ReadTime(object value);

    /// <summary>The SQL that takes the value of <paramref name="column"/> (PostgreSQL casts JSON text).</summary>
    protected virtual string ParameterSql(string column) => "@" + column;

    /// <summary>Settings of a new connection (SQLite's pragmas).</summary>
    protected virtual Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Inside the migration's transaction, before the version is read: keeps two relays from migrating at once.</summary>
    protected virtual Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public virtual async Task OpenAsync(CancellationToken cancellationToken)
    {
        await ResetAsync().ConfigureAwait(false);
        var connection = CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await PrepareAsync(connection, cancellationToken).ConfigureAwait(false);
            await MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
            _connection = connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task MigrateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, null, Expand(AccountingSchema.VersionTable), cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockForMigrationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await using (var read = Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version"))
        {
            FoundVersion = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        for (var version = FoundVersion + 1; version <= AccountingSchema.Version; version++)
        {
            var (description, statements) = AccountingSchema.Migrations[version - 1];
            foreach (var statement in statements)
            {
                await ExecuteAsync(connection, transaction, Expand(statement), cancellationToken).ConfigureAwait(false);
            }

            await using var insert = Command(connection, transaction,
                "INSERT INTO schema_version (version, applied_at, description) VALUES (@version, @applied_at, @description)");
            Add(insert, "version", version);
            Add(insert, "applied_at", TimeValue(DateTimeOffset.UtcNow));
            Add(insert, "description", description);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task WriteAsync(IReadOnlyList<AccountingRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        if (_connection is null)
        {
            await OpenAsync(cancellationToken).ConfigureAwait(false);
        }

        await InsertAsync(_connection!, records, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the batch in one transaction, skipping records already there (their streams went in with them). This
    /// one goes through ADO.NET commands; SQLite's store binds its prepared statements directly.
    /// </summary>
    protected virtual async Task InsertAsync(DbConnection connection, IReadOnlyList<AccountingRecord> records, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var session = InsertCommand(connection, transaction, "media_sessions", AccountingSchema.SessionColumns.Select(c => c.Name), "(record_id)");
        await using var direction = InsertCommand(connection, transaction, "media_streams",
            AccountingSchema.DirectionColumns.Select(c => c.Name).Prepend("record_id"), "(record_id, stream_index, direction)");
        foreach (var record in records)
        {
            foreach (var (name, value) in AccountingSchema.SessionColumns)
            {
                session.Parameters[name].Value = Value(value(record));
            }

            if (await session.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                continue; // Written before (a replayed spool): its streams went in with it.
            }

            foreach (var row in record.Directions)
            {
                direction.Parameters["record_id"].Value = record.RecordId;
                foreach (var (name, value) in AccountingSchema.DirectionColumns)
                {
                    direction.Parameters[name].Value = Value(value(row));
                }

                await direction.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AccountingRecord>> ReadAsync(AccountingQuery query, CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            await ConnectForReadingAsync(cancellationToken).ConfigureAwait(false);
        }

        var connection = _connection!;
        var names = AccountingSchema.SessionColumns.Select(c => c.Name).ToList();
        var sql = new StringBuilder("SELECT ").AppendJoin(", ", names).Append(" FROM media_sessions");
        var where = new List<string>();
        await using var command = Command(connection, null, "");
        if (query.CallId is { } callId)
        {
            where.Add("call_id = @call_id");
            Add(command, "call_id", callId);
        }

        if (query.Since is { } since)
        {
            where.Add("end_time >= @since");
            Add(command, "since", TimeValue(since));
        }

        if (where.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", where);
        }

        sql.Append(" ORDER BY end_time DESC, id DESC LIMIT ").Append(Math.Max(1, query.Limit).ToString(CultureInfo.InvariantCulture));
        command.CommandText = sql.ToString();
        var records = new List<AccountingRecord>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                records.Add(ReadSession(reader));
            }
        }

        if (!query.WithDirections)
        {
            return records;
        }

        for (var i = 0; i < records.Count; i++)
        {
            records[i] = records[i] with { Directions = await ReadDirectionsAsync(connection, records[i].RecordId, cancellationToken).ConfigureAwait(false) };
        }

        return records;
    }

    /// <summary>Connects without creating or migrating anything (the CLI only reads).</summary>
    protected virtual async Task ConnectForReadingAsync(CancellationToken cancellationToken)
    {
        var connection = CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            _connection = connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private AccountingRecord ReadSession(DbDataReader reader) => new()
    {
        RecordId = reader.GetString(reader.GetOrdinal("record_id")),
        Node = reader.GetString(reader.GetOrdinal("node")),
        CallId = reader.GetString(reader.GetOrdinal("call_id")),
        FromTag = Text(reader, "from_tag"),
        ToTag = Text(reader, "to_tag"),
        FromUri = Text(reader, "from_uri"),
        ToUri = Text(reader, "to_uri"),
        StartTime = ReadTime(reader.GetValue(reader.GetOrdinal("start_time"))),
        EndTime = ReadTime(reader.GetValue(reader.GetOrdinal("end_time"))),
        Duration = reader.GetDouble(reader.GetOrdinal("duration")),
        EndReason = reader.GetString(reader.GetOrdinal("end_reason")),
        TimeoutWait = reader.GetDouble(reader.GetOrdinal("timeout_wait")),
        Streams = Convert.ToInt32(reader.GetValue(reader.GetOrdinal("streams")), CultureInfo.InvariantCulture),
        Packets = reader.GetInt64(reader.GetOrdinal("packets")),
        Bytes = reader.GetInt64(reader.GetOrdinal("bytes")),
        Errors = reader.GetInt64(reader.GetOrdinal("errors")),
        KernelPackets = reader.GetInt64(reader.GetOrdinal("kernel_packets")),
        Info = reader.GetValue(reader.GetOrdinal("info")).ToString() ?? "{}",
    };

    private async Task<IReadOnlyList<DirectionRecord>> ReadDirectionsAsync(DbConnection connection, string recordId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, null,
            "SELECT " + string.Join(", ", AccountingSchema.DirectionColumns.Select(c => c.Name)) +
            " FROM media_streams WHERE record_id = @record_id ORDER BY stream_index, direction DESC");
        Add(command, "record_id", recordId);
        var rows = new List<DirectionRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            long Big(string name) => reader.GetInt64(reader.GetOrdinal(name));
            rows.Add(new DirectionRecord
            {
                StreamIndex = Convert.ToInt32(reader.GetValue(reader.GetOrdinal("stream_index")), CultureInfo.InvariantCulture),
                Direction = reader.GetString(reader.GetOrdinal("direction")),
                MediaType = reader.GetString(reader.GetOrdinal("media_type")),
                Codec = Text(reader, "codec"),
                Protocol = Text(reader, "protocol"),
                SourceTag = Text(reader, "source_tag"),
                SourceLearned = Text(reader, "source_learned"),
                SourceSdp = Text(reader, "source_sdp"),
                RelayIn = Text(reader, "relay_in"),
                RelayOut = Text(reader, "relay_out"),
                Destination = Text(reader, "destination"),
                InterfaceIn = Text(reader, "interface_in"),
                InterfaceOut = Text(reader, "interface_out"),
                RtpPackets = Big("rtp_packets"),
                RtpBytes = Big("rtp_bytes"),
                RtpUserPackets = Big("rtp_user_packets"),
                RtpUserBytes = Big("rtp_user_bytes"),
                RtpKernelPackets = Big("rtp_kernel_packets"),
                RtpKernelBytes = Big("rtp_kernel_bytes"),
                RtpErrors = Big("rtp_errors"),
                RtcpPackets = Big("rtcp_packets"),
                RtcpBytes = Big("rtcp_bytes"),
                RtcpUserPackets = Big("rtcp_user_packets"),
                RtcpUserBytes = Big("rtcp_user_bytes"),
                RtcpKernelPackets = Big("rtcp_kernel_packets"),
                RtcpKernelBytes = Big("rtcp_kernel_bytes"),
                RtcpErrors = Big("rtcp_errors"),
                Ssrc = Big("ssrc"),
                PacketsLost = Big("packets_lost"),
                LossPercent = reader.GetDouble(reader.GetOrdinal("loss_percent")),
                JitterMs = reader.GetDouble(reader.GetOrdinal("jitter_ms")),
                Mos = reader.IsDBNull(reader.GetOrdinal("mos")) ? null : reader.GetDouble(reader.GetOrdinal("mos")),
            });
        }

        return rows;
    }

    private static string? Text(DbDataReader reader, string name)
    {
        var ordinal = reader.GetOrdinal(name);
        return reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }

    public async ValueTask ResetAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            Closing(connection);
            try
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (DbException)
            {
                // A broken connection may fail to close; it is gone either way.
            }

            Forget(connection);
        }
    }

    /// <summary>Before the connection closes: lets go of what the store keeps on it (SQLite's prepared statements).</summary>
    protected virtual void Closing(DbConnection connection)
    {
    }

    /// <summary>After a failure: drops what the provider pools for this connection (PostgreSQL).</summary>
    protected virtual void Forget(DbConnection connection)
    {
    }

    public async ValueTask DisposeAsync()
    {
        await ResetAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>The insert of one row that skips a row already there (by <paramref name="key"/>).</summary>
    protected string InsertSql(string table, IReadOnlyList<string> columns, string key) =>
        $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(ParameterSql))}) ON CONFLICT {key} DO NOTHING";

    private DbCommand InsertCommand(DbConnection connection, DbTransaction transaction, string table, IEnumerable<string> columns, string key)
    {
        var names = columns.ToList();
        var command = Command(connection, transaction, InsertSql(table, names, key));
        foreach (var name in names)
        {
            Add(command, name, DBNull.Value);
        }

        return command;
    }

    private object Value(object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset time => TimeValue(time),
        Utf8Json json => json.ToString(),
        _ => value,
    };

    private string Expand(string sql) =>
        sql.Replace("{id}", ColumnType("id"), StringComparison.Ordinal)
            .Replace("{time}", ColumnType("time"), StringComparison.Ordinal)
            .Replace("{real}", ColumnType("real"), StringComparison.Ordinal)
            .Replace("{big}", ColumnType("big"), StringComparison.Ordinal)
            .Replace("{json}", ColumnType("json"), StringComparison.Ordinal);

    protected static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    protected static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // Built from the schema's own constants; values go in as parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        return command;
    }

    protected static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
