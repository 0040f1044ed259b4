using MediaRelay.Accounting.Storage;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Accounting;

/// <summary>
/// The accounting database as the writer sees it: up or down, when to try it again (<see cref="AccountingOptions.RetryMin"/>,
/// doubling to <see cref="AccountingOptions.RetryMax"/>), and the log lines of its changes: ready (created or migrated),
/// down with advice, still down, back.
/// Threading: only the writer task opens it or marks it down; <see cref="Up"/> may be read from any thread.
/// </summary>
internal sealed class DatabaseLink(IAccountingStore store, AccountingOptions options, TimeProvider time, ILogger logger,
    Spool spool, string? spoolProblem)
{
    private bool _up;
    private bool _downReported;
    private bool _spoolNoted;
    private TimeSpan _retry = options.RetryMin;
    private DateTimeOffset _retryAt;

    /// <summary>True while the database takes records.</summary>
    public bool Up => Volatile.Read(ref _up);

    /// <summary>When a database that is down is tried again.</summary>
    public DateTimeOffset RetryAt => _retryAt;

    /// <summary>Opens the store; on failure marks the database down (<see cref="DownAsync"/>) instead of throwing.</summary>
    public async Task TryOpenAsync(CancellationToken abort)
    {
        var wasReported = _downReported;
        try
        {
            await store.OpenAsync(abort).ConfigureAwait(false);
        }
        catch (Exception e) when (!abort.IsCancellationRequested)
        {
            await DownAsync(e).ConfigureAwait(false);
            return;
        }

        Volatile.Write(ref _up, true);
        _downReported = false;
        _retry = options.RetryMin;
        var found = store.FoundVersion;
        if (found > AccountingSchema.Version)
        {
            AccountingLog.NewerSchema(logger, store.Description, found, AccountingSchema.Version);
        }

        if (wasReported)
        {
            AccountingLog.Back(logger, store.Description, AccountingSchema.Version, spool.Pending, spool.Path);
        }
        else if (!_spoolNoted)
        {
            var migration = found == 0 ? ", created" : found < AccountingSchema.Version ? $", migrated from {found}" : "";
            AccountingLog.Ready(logger, store.Description, AccountingSchema.Version, migration, spool.Path);
        }

        _spoolNoted = true;
    }

    /// <summary>The database failed: closes the store, sets the next try and says so (once in full, then briefly).</summary>
    public async Task DownAsync(Exception error)
    {
        Volatile.Write(ref _up, false);
        await store.ResetAsync().ConfigureAwait(false);
        _retryAt = time.GetUtcNow() + _retry;
        _retry = TimeSpan.FromTicks(Math.Min(_retry.Ticks * 2, options.RetryMax.Ticks));
        var reason = Describe(error);
        if (_downReported)
        {
            AccountingLog.StillDown(logger, store.Description, reason);
            return;
        }

        _downReported = true;
        var advice = SqliteAccountingStore.Advice(error) is { } text ? " (" + text + ")" : "";
        var note = !_spoolNoted && spoolProblem is not null ? $" (instead of {spoolProblem}, which cannot be written either)" : "";
        _spoolNoted = true;
        AccountingLog.Down(logger, store.Description, reason, advice, spool.Path, note, options.RetryMax.TotalSeconds);
    }

    /// <summary>An exception's message for a log line, with its inner exception's when that adds to it.</summary>
    internal static string Describe(Exception error)
    {
        var message = error.Message.Trim().TrimEnd('.');
        if (error.InnerException is { } inner && !message.Contains(inner.Message.TrimEnd('.'), StringComparison.Ordinal))
        {
            message += " (" + inner.Message.Trim().TrimEnd('.') + ")";
        }

        return message.TrimEnd('.');
    }
}
