using System.Diagnostics;
using System.Text;

namespace MediaRelay.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A child process whose stdout and stderr are kept in memory (the last <see cref="MaxLogChars"/> characters) so a
/// failing test can show them, and whose whole process tree is killed on dispose. Kamailio forks its workers and
/// sipp its RTP threads, so killing the tree, not just the parent, is what leaves no port behind.
/// </summary>
internal sealed class ManagedProcess : IDisposable
{
    private const int MaxLogChars = 200_000;

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly StringBuilder _errors = new();
    private readonly Lock _logLock = new();

    private ManagedProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ManagedProcess Start(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan lineDelay = default)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Relays the tests start keep no accounting unless a test asks for it: as root the default would be the
        // machine's /var/lib/mediarelay/sessions.db, shared by every relay of the run (tests/MediaRelay.Accounting.Tests
        // covers accounting, with files and servers of its own).
        startInfo.Environment.TryAdd("MEDIARELAY_MediaRelay__Accounting", "off");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var managed = new ManagedProcess(name, process);
        process.OutputDataReceived += (_, e) =>
        {
            managed.Append(e.Data);
            if (lineDelay > TimeSpan.Zero)
            {
                // A slow reader of stdout (a busy journald): the pipe fills and the child's writes wait.
                Thread.Sleep(lineDelay);
            }
        };
        process.ErrorDataReceived += (_, e) => managed.Append(e.Data, toErrors: true);
        managed.Append($"$ {fileName} {string.Join(' ', startInfo.ArgumentList)}");
        if (!process.Start())
        {
            throw new InvalidOperationException($"{name}: could not start {fileName}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>Waits for the process to exit; returns false if it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public string Log
    {
        get
        {
            lock (_logLock)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>What the process wrote to stderr alone (also in <see cref="Log"/>), the last <see cref="MaxLogChars"/> characters.</summary>
    public string StandardError
    {
        get
        {
            lock (_logLock)
            {
                return _errors.ToString();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void Append(string? line, bool toErrors = false)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            Keep(_log, line);
            if (toErrors)
            {
                Keep(_errors, line);
            }
        }
    }

    private static void Keep(StringBuilder text, string line)
    {
        text.Append(line).Append('\n');
        if (text.Length > MaxLogChars)
        {
            text.Remove(0, text.Length - MaxLogChars);
        }
    }
}
