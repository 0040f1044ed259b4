using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace MediaRelay.EndToEnd.Tests.Packaging;

/// <summary>
/// Once per test run: packaging/publish.sh for this machine's runtime identifier into a temporary folder (its own
/// build folder too, so the developer's bin/ and obj/ are not touched), then packaging/install.sh into a temporary
/// root with DESTDIR. Publishing builds every project for the runtime identifier: a minute or two.
/// </summary>
public sealed class PublishedRelay : IAsyncLifetime
{
    private static readonly TimeSpan PublishLimit = TimeSpan.FromMinutes(6);

    /// <summary>Null when the tests can run; else why not (the reason they are skipped with).</summary>
    public static string? Unavailable { get; } = FindUnavailable();

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("mediarelay-package-").FullName;

    public static string RepositoryRoot { get; } = FindRepositoryRoot() ?? "";

    public static string Rid => RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";

    public string PublishDirectory => Path.Combine(Directory, "publish");

    public string DestDir => Path.Combine(Directory, "root");

    public string InstalledBinary => Path.Combine(DestDir, "usr/local/bin/mediarelay");

    public string InstalledUnit => Path.Combine(DestDir, "etc/systemd/system/mediarelay.service");

    public string InstalledConfig => Path.Combine(DestDir, "etc/mediarelay/mediarelay.json");

    public string PublishLog { get; private set; } = "";

    public string InstallLog { get; private set; } = "";

    public TimeSpan PublishTime { get; private set; }

    /// <summary>Why publishing or installing failed, or null.</summary>
    public string? Failure { get; private set; }

    public async Task InitializeAsync()
    {
        if (Unavailable is not null)
        {
            return;
        }

        var watch = Stopwatch.StartNew();
        var (publishCode, publishLog) = await RunAsync("bash",
            [Path.Combine(RepositoryRoot, "packaging/publish.sh"), Rid, PublishDirectory],
            new Dictionary<string, string> { ["MEDIARELAY_BUILD_DIR"] = Path.Combine(Directory, "build") }, PublishLimit);
        PublishTime = watch.Elapsed;
        PublishLog = publishLog;
        if (publishCode != 0)
        {
            Failure = $"packaging/publish.sh {Rid} exited {publishCode}:\n{publishLog}";
            return;
        }

        var (installCode, installLog) = await RunAsync("bash",
            [Path.Combine(RepositoryRoot, "packaging/install.sh"), Path.Combine(PublishDirectory, "mediarelay")],
            new Dictionary<string, string> { ["DESTDIR"] = DestDir }, TimeSpan.FromMinutes(1));
        InstallLog = installLog;
        if (installCode != 0)
        {
            Failure = $"packaging/install.sh exited {installCode}:\n{installLog}";
        }
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Runs a program to its end; its exit code and its stdout and stderr interleaved.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment, TimeSpan limit)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) { output.Append(e.Data).Append('\n'); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.Append(e.Data).Append('\n'); } };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (output)
            {
                return (-1, $"{fileName} killed after {limit.TotalSeconds} s\n{output}");
            }
        }

        process.WaitForExit(); // the end of the redirected streams
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    /// <summary>Which program on PATH has <paramref name="name"/>, or null.</summary>
    public static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    private static string? FindUnavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "packaging is for Linux";
        }

        if (FindRepositoryRoot() is null)
        {
            return "the repository (MediaRelay.slnx and packaging/) is not above the test assembly: publishing needs the sources";
        }

        return OnPath("bash") is null ? "bash is not installed (packaging/publish.sh and install.sh are bash scripts)" : null;
    }

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MediaRelay.slnx")) && File.Exists(Path.Combine(dir.FullName, "packaging/publish.sh")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}

/// <summary>A fact that needs the sources and bash to publish; skipped with the reason otherwise.</summary>
public sealed class PackagingFactAttribute : FactAttribute
{
    public PackagingFactAttribute()
    {
        if (PublishedRelay.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>
/// A fact that runs `systemd-analyze verify` on the installed unit: needs systemd-analyze (Debian package systemd),
/// and root with unshare(1) to show the installed executable at the unit's ExecStart path in a private mount namespace.
/// </summary>
public sealed class SystemdAnalyzeFactAttribute : FactAttribute
{
    public SystemdAnalyzeFactAttribute()
    {
        if (PublishedRelay.Unavailable is { } reason)
        {
            Skip = reason;
        }
        else if (PublishedRelay.OnPath("systemd-analyze") is null)
        {
            Skip = "systemd-analyze is not installed (Debian package systemd; .ci/install-deps.sh installs it)";
        }
        else if (PublishedRelay.OnPath("unshare") is null || Environment.UserName != "root")
        {
            Skip = "verifying the installed unit needs root and unshare(1) (util-linux): the unit's ExecStart path is bind-mounted from the temporary root";
        }
    }
}
