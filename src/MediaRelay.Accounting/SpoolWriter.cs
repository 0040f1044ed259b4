using Microsoft.Extensions.Logging;

namespace MediaRelay.Accounting;

/// <summary>
/// Where records go when the database cannot take them: appended to the <see cref="Spool"/> file; when even that
/// fails (disk full, no permission), held in memory for a later try (the database's, once it is back, or the spool's
/// again at the stop).
/// Threading: any thread (the session-ended handler spools when the queue is full).
/// </summary>
internal sealed class SpoolWriter(Spool spool, ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly List<AccountingRecord> _held = [];
    private long _spooled;

    /// <summary>Records that went to the spool file.</summary>
    public long Spooled => Interlocked.Read(ref _spooled);

    /// <summary>Records held in memory because the spool file could not take them.</summary>
    public int Held
    {
        get
        {
            lock (_gate)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>Appends to the spool (synced to disk unless <paramref name="sync"/> is false); when that fails, holds them.</summary>
    public void Append(List<AccountingRecord> records, bool sync = true)
    {
        if (records.Count == 0)
        {
            return;
        }

        try
        {
            spool.Append(records, sync);
            Interlocked.Add(ref _spooled, records.Count);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            int held;
            lock (_gate)
            {
                _held.AddRange(records);
                held = _held.Count;
            }

            AccountingLog.SpoolFailed(logger, spool.Path, e.Message, held);
        }
    }

    /// <summary>The records held in memory, which are no longer held (empty when there are none).</summary>
    public List<AccountingRecord> TakeHeld()
    {
        lock (_gate)
        {
            if (_held.Count == 0)
            {
                return [];
            }

            List<AccountingRecord> taken = [.. _held];
            _held.Clear();
            return taken;
        }
    }
}
