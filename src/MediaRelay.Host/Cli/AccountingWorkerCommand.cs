using System.CommandLine;
using System.Runtime.InteropServices;
using MediaRelay.Accounting;
using MediaRelay.Accounting.Storage.Worker;
using MediaRelay.Host.Hosting;

namespace MediaRelay.Host.Cli;

/// <summary>
/// `mediarelay accounting-worker` (hidden): the process a running relay starts to write its accounting database
/// (<see cref="WorkerAccountingStore"/>). Not for a person to run: it speaks a binary protocol on its standard input
/// and output, and ends when the relay closes them (not on SIGTERM or SIGINT, which a service stop or a Ctrl+C sends
/// to it as well as to the relay while the relay still needs it). The database comes in the environment
/// (<see cref="AccountingWorkerLauncher.TargetVariable"/>), never on the command line, where `ps` would show a
/// PostgreSQL password.
/// </summary>
internal static class AccountingWorkerCommand
{
    public static Command Create()
    {
        var command = new Command(AccountingWorkerLauncher.CommandName, "The relay's accounting worker process (started by the relay; speaks a binary protocol on stdin/stdout).")
        {
            Hidden = true,
        };
        command.SetAction(async (_, cancellation) =>
        {
            var text = Environment.GetEnvironmentVariable(AccountingWorkerLauncher.TargetVariable);
            AccountingTarget target = AccountingTarget.Default;
            string? error = null;
            if (string.IsNullOrWhiteSpace(text) || !AccountingTarget.TryParse(text, out target, out error) || target.Backend == AccountingBackend.Off)
            {
                await Console.Error.WriteLineAsync($"mediarelay {AccountingWorkerLauncher.CommandName}: {error ?? "no database"} " +
                    $"({AccountingWorkerLauncher.TargetVariable}); this process is started by the relay, not by hand").ConfigureAwait(false);
                return 2;
            }

            // A service stop (systemd signals the whole control group) or a Ctrl+C in a terminal (the whole foreground
            // group) reaches the worker too, while the relay still flushes its queue through it: the worker ends when
            // the relay closes its input, which the relay's exit, however it comes, does.
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => signal.Cancel = true);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => signal.Cancel = true);
            await using var store = AccountingService.Store(target);
            await using var input = Console.OpenStandardInput();
            await using var output = Console.OpenStandardOutput();
            await StoreWorker.RunAsync(store, input, output, cancellation).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
