using System.Diagnostics;
using MediaRelay.Accounting;

namespace MediaRelay.Host.Hosting;

/// <summary>
/// How the relay starts its accounting worker: its own executable again, with the hidden `accounting-worker` verb
/// (`dotnet mediarelay.dll accounting-worker` when it runs through dotnet, `mediarelay accounting-worker` as an
/// app host or the single-file binary). The database goes in the environment, so that no password is on a command line.
/// </summary>
internal static class AccountingWorkerLauncher
{
    public const string CommandName = "accounting-worker";

    public const string TargetVariable = "MEDIARELAY_ACCOUNTING_WORKER_TARGET";

    /// <summary>The worker's start, or null (with <paramref name="why"/>) when this process is not the relay's executable (a test host).</summary>
    public static ProcessStartInfo? For(AccountingTarget target, out string? why)
    {
        why = null;
        var process = Environment.ProcessPath;
        var assembly = typeof(AccountingWorkerLauncher).Assembly.GetName().Name!;
        var name = Path.GetFileNameWithoutExtension(process);
        // Through dotnet, the relay's assembly is beside it; the app host and the single-file binary are the relay itself.
        var entry = Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
        ProcessStartInfo start;
        if (name == "dotnet" && File.Exists(entry))
        {
            start = new ProcessStartInfo(process!) { ArgumentList = { entry, CommandName } };
        }
        else if (process is not null && name == assembly)
        {
            start = new ProcessStartInfo(process) { ArgumentList = { CommandName } };
        }
        else
        {
            why = $"{process ?? "this process"} is not the relay's executable";
            return null;
        }

        start.Environment[TargetVariable] = (target.Backend == AccountingBackend.PostgreSql ? "postgresql:" : "sqlite:") + target.Value;
        // The worker's collections stay short and on its own low-priority thread.
        start.Environment["DOTNET_gcConcurrent"] = "0";
        return start;
    }
}
