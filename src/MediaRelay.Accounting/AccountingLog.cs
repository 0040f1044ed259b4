using Microsoft.Extensions.Logging;

namespace MediaRelay.Accounting;

internal static partial class AccountingLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "accounting: every ended session is recorded in {Store} (schema version {Version}{Migration}); spool {Spool}")]
    public static partial void Ready(ILogger logger, string store, int version, string migration, string spool);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "accounting: cannot write {Store}: {Reason}{Advice}; records are kept in the spool {Spool}{SpoolNote} and written when the database is back (tried again within {Retry} s); the relay runs on")]
    public static partial void Down(ILogger logger, string store, string reason, string advice, string spool, string spoolNote, double retry);

    [LoggerMessage(EventId = 602, Level = LogLevel.Debug, Message = "accounting: {Store} still cannot be written: {Reason}")]
    public static partial void StillDown(ILogger logger, string store, string reason);

    [LoggerMessage(EventId = 603, Level = LogLevel.Information, Message = "accounting: {Store} is back (schema version {Version}); writing the {Pending} record(s) of the spool {Spool}")]
    public static partial void Back(ILogger logger, string store, int version, long pending, string spool);

    [LoggerMessage(EventId = 604, Level = LogLevel.Information, Message = "accounting: {Records} spooled record(s) written to {Store} from {File}")]
    public static partial void Replayed(ILogger logger, long records, string store, string file);

    [LoggerMessage(EventId = 605, Level = LogLevel.Warning, Message = "accounting: {Lines} line(s) of {File} are not records (cut short by a crash?); kept in {Rejected}")]
    public static partial void BadLines(ILogger logger, int lines, string file, string rejected);

    [LoggerMessage(EventId = 606, Level = LogLevel.Warning, Message = "accounting: the queue is full ({Capacity} records wait for {Store}); records go straight to the spool {Spool}")]
    public static partial void QueueFull(ILogger logger, int capacity, string store, string spool);

    [LoggerMessage(EventId = 607, Level = LogLevel.Error, Message = "accounting: the spool {Spool} cannot be written either ({Reason}); {Records} record(s) are held in memory until it or the database can be")]
    public static partial void SpoolFailed(ILogger logger, string spool, string reason, int records);

    [LoggerMessage(EventId = 608, Level = LogLevel.Error, Message = "accounting: stopping with {Records} record(s) that neither {Store} nor the spool {Spool} could take: they are lost")]
    public static partial void Lost(ILogger logger, int records, string store, string spool);

    [LoggerMessage(EventId = 609, Level = LogLevel.Warning, Message = "accounting: the queue did not reach {Store} within {Seconds} s of the stop; the rest goes to the spool {Spool}")]
    public static partial void FlushTimedOut(ILogger logger, string store, double seconds, string spool);

    [LoggerMessage(EventId = 610, Level = LogLevel.Information, Message = "accounting: {Written} record(s) written to {Store}, {Spooled} spooled, {Pending} waiting in the spool {Spool}")]
    public static partial void Stopped(ILogger logger, long written, string store, long spooled, long pending, string spool);

    [LoggerMessage(EventId = 611, Level = LogLevel.Warning, Message = "accounting: {Store} has schema version {Found}, newer than this relay's {Version}; records are written with this relay's columns")]
    public static partial void NewerSchema(ILogger logger, string store, int found, int version);
}
