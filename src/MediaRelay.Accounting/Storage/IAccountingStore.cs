namespace MediaRelay.Accounting.Storage;

/// <summary>
/// A database of accounting records. Not thread-safe: one writer task owns it. Every failure throws (the writer
/// spools what could not be written and calls <see cref="ResetAsync"/> before it tries again).
/// </summary>
public interface IAccountingStore : IAsyncDisposable
{
    /// <summary>How logs name it (no password).</summary>
    string Description { get; }

    /// <summary>The schema version the last open found in the database (0 for a new one), before migrating it.</summary>
    int FoundVersion => AccountingSchema.Version;

    /// <summary>Connects, creates the schema or migrates it to <see cref="AccountingSchema.Version"/>.</summary>
    Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>Writes the records in one transaction; records already there (same record id) are skipped.</summary>
    Task WriteAsync(IReadOnlyList<AccountingRecord> records, CancellationToken cancellationToken);

    /// <summary>The newest records first, with their directions when <see cref="AccountingQuery.WithDirections"/>.</summary>
    Task<IReadOnlyList<AccountingRecord>> ReadAsync(AccountingQuery query, CancellationToken cancellationToken);

    /// <summary>Drops the connection after a failure, so the next open starts afresh.</summary>
    ValueTask ResetAsync();
}

/// <summary>What <c>mediarelay accounting</c> asks for.</summary>
public sealed record AccountingQuery
{
    public string? CallId { get; init; }

    /// <summary>Only records that ended at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    public int Limit { get; init; } = 50;

    public bool WithDirections { get; init; }
}
