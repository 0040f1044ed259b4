using MediaRelay.Accounting;
using MediaRelay.Accounting.Storage;
using MediaRelay.Accounting.Storage.Worker;
using MediaRelay.Core.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Host.Hosting;

/// <summary>
/// Accounting (<c>--accounting</c>): a record of every ended session in SQLite or PostgreSQL, through the
/// <see cref="AccountingWriter"/>'s queue, spool and writer task. Registered before <see cref="RelayService"/>: it is
/// attached to the session manager before ng takes the first call, and stopped after the relay's stop has ended
/// every session, so the shutdown's records are flushed too (within the flush limit; the rest waits in the spool).
/// </summary>
internal sealed class AccountingService(SessionManager sessions, AccountingOptions options, TimeProvider time, ILoggerFactory loggers)
    : IHostedService, IAsyncDisposable
{
    private AccountingWriter? _writer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("MediaRelay.Accounting");
        if (options.Target.Backend == AccountingBackend.Off)
        {
            HostLog.AccountingOff(logger);
            return Task.CompletedTask;
        }

        _writer = new AccountingWriter(options, WriterStore(logger), time, logger);
        _writer.Attach(sessions);
        _writer.Start();
        return Task.CompletedTask;
    }

    public static IAccountingStore Store(AccountingTarget target) => target.Backend switch
    {
        AccountingBackend.PostgreSql => new PostgresAccountingStore(target.Value),
        _ => new SqliteAccountingStore(target.Value),
    };

    /// <summary>The writer's store: through the accounting worker process unless that is off or cannot be started from here.</summary>
    private IAccountingStore WriterStore(ILogger logger)
    {
        var store = Store(options.Target);
        if (!options.Worker)
        {
            return store;
        }

        if (AccountingWorkerLauncher.For(options.Target, out var why) is not { } start)
        {
            HostLog.AccountingWorkerUnavailable(logger, why!);
            return store;
        }

        return new WorkerAccountingStore(store, start)
        {
            Started = pid => HostLog.AccountingWorkerStarted(logger, pid, LowPriority.Below(LowPriority.OwnNice())),
            FellBack = reason => HostLog.AccountingWorkerFellBack(logger, reason),
        };
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_writer is { } writer)
        {
            await writer.StopAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is { } writer)
        {
            _writer = null;
            await writer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
