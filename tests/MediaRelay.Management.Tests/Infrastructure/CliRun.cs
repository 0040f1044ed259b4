using MediaRelay.EndToEnd.Tests.Infrastructure;

namespace MediaRelay.Management.Tests.Infrastructure;

/// <summary>Runs one `mediarelay` CLI verb to its end and returns its exit code and output (stdout and stderr).</summary>
internal static class CliRun
{
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        using var process = RunningRelay.Start(arguments);
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(60), CancellationToken.None), "the verb did not end:\n" + process.Log);
        await Task.Delay(100); // the last output lines
        var log = process.Log;
        return (process.ExitCode, log[(log.IndexOf('\n', StringComparison.Ordinal) + 1)..]);
    }

    /// <summary>Runs a verb against <paramref name="relay"/> and expects it to succeed.</summary>
    public static async Task<string> OkAsync(RunningRelay relay, params string[] arguments)
    {
        var (exitCode, output) = await RunAsync([.. arguments, "--management", relay.Management.ToString()]);
        Assert.True(exitCode == 0, $"mediarelay {string.Join(' ', arguments)}: exit {exitCode}\n{output}");
        return output;
    }
}
