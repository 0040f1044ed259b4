namespace MediaRelay.Accounting;

/// <summary>How the relay keeps its accounting records.</summary>
public sealed class AccountingOptions
{
    public AccountingTarget Target { get; init; } = AccountingTarget.Default;

    /// <summary>The spool file; null puts it beside the SQLite file (PATH.spool), or at /var/lib/mediarelay/accounting.spool.</summary>
    public string? SpoolPath { get; init; }

    /// <summary>
    /// Whether the database is written by a separate process, the accounting worker, at a lower CPU priority than the
    /// relay's (<see cref="Storage.Worker.WorkerAccountingStore"/>), rather than by the writer task in the relay's process.
    /// </summary>
    public bool Worker { get; init; } = true;

    /// <summary>Records waiting for the writer; when it is full (the writer is far behind), records go to the spool at once.</summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>Most records in one transaction.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>
    /// How long the writer gathers records after the first one arrives before it writes them, in one transaction (a
    /// full <see cref="BatchSize"/> is written at once). Each transaction rewrites the pages its rows touch, so fewer,
    /// bigger ones write less; and while the writer gathers, an ended session only queues its record, with no thread
    /// to wake. Zero writes whatever is queued as soon as the writer sees it.
    /// </summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The first wait before the database is tried again after a failure; it doubles up to <see cref="RetryMax"/>.</summary>
    public TimeSpan RetryMin { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMax { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>At shutdown, the longest wait for the queue to reach the database; what is left then goes to the spool.</summary>
    public TimeSpan FlushTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The name of this relay in the records (the host name).</summary>
    public string Node { get; init; } = Environment.MachineName;
}
