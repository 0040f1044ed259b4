using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace MediaRelay.Accounting.Storage;

/// <summary>
/// The SQLite store's batch insert, on SQLite's own API: both inserts prepared once per connection, their values
/// bound by position, one transaction per batch. Through ADO.NET the same batch cost about 120 µs of CPU per record,
/// a fifth of it SQLite looking up each of about fifty named parameters by name on every row, most of the rest the
/// provider's per-parameter work; at thousands of calls a second that was a third of the relay's control rate.
/// Errors surface as <see cref="SqliteException"/>, as from ADO.NET, so the writer's handling and advice are the same.
/// Threading: one batch at a time (the accounting writer's single task).
/// </summary>
internal sealed class SqliteInserts : IDisposable
{
    private readonly sqlite3 _db;
    private readonly Func<DateTimeOffset, object> _time;
    private readonly sqlite3_stmt _session;
    private readonly sqlite3_stmt _direction;
    private byte[] _text = new byte[4096];

    public SqliteInserts(sqlite3 db, string sessionSql, string directionSql, Func<DateTimeOffset, object> time)
    {
        _db = db;
        _time = time;
        _session = Prepare(sessionSql);
        try
        {
            _direction = Prepare(directionSql);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    public void Insert(IReadOnlyList<AccountingRecord> records)
    {
        Check(raw.sqlite3_exec(_db, "BEGIN IMMEDIATE"));
        try
        {
            foreach (var record in records)
            {
                var column = 1;
                foreach (var (_, value) in AccountingSchema.SessionColumns)
                {
                    Bind(_session, column++, value(record));
                }

                Step(_session);
                if (raw.sqlite3_changes(_db) == 0)
                {
                    continue; // Written before (a replayed spool): its streams went in with it.
                }

                foreach (var row in record.Directions)
                {
                    Bind(_direction, 1, record.RecordId);
                    column = 2;
                    foreach (var (_, value) in AccountingSchema.DirectionColumns)
                    {
                        Bind(_direction, column++, value(row));
                    }

                    Step(_direction);
                }
            }

            Check(raw.sqlite3_exec(_db, "COMMIT"));
        }
        catch
        {
            // A failed statement may have ended the transaction already; either way nothing of the batch stays.
            if (raw.sqlite3_get_autocommit(_db) == 0)
            {
                raw.sqlite3_exec(_db, "ROLLBACK");
            }

            throw;
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _direction.Dispose();
    }

    private sqlite3_stmt Prepare(string sql)
    {
        Check(raw.sqlite3_prepare_v2(_db, sql, out var statement));
        return statement;
    }

    private void Step(sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }
    }

    private void Bind(sqlite3_stmt statement, int index, object? value)
    {
        var rc = value switch
        {
            null => raw.sqlite3_bind_null(statement, index),
            string text => BindText(statement, index, text),
            Utf8Json json => raw.sqlite3_bind_text(statement, index, json.Bytes),
            long number => raw.sqlite3_bind_int64(statement, index, number),
            int number => raw.sqlite3_bind_int64(statement, index, number),
            double real => raw.sqlite3_bind_double(statement, index, real),
            DateTimeOffset time => BindText(statement, index, (string)_time(time)),
            _ => throw new InvalidOperationException($"accounting column {index} has a value of type {value.GetType().Name}, which the SQLite store cannot bind"),
        };
        Check(rc);
    }

    /// <summary>
    /// Binds text as UTF-8 encoded into one reused buffer (SQLite copies it): no array per value, and the encoding is
    /// .NET's vectorised one rather than SQLite's UTF-16 translation.
    /// </summary>
    private int BindText(sqlite3_stmt statement, int index, string text)
    {
        var most = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (most > _text.Length)
        {
            _text = new byte[Math.Max(most, _text.Length * 2)];
        }

        var length = Encoding.UTF8.GetBytes(text, _text);
        return raw.sqlite3_bind_text(statement, index, new ReadOnlySpan<byte>(_text, 0, length));
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
