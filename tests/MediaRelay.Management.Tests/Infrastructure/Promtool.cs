using System.Diagnostics;

namespace MediaRelay.Management.Tests.Infrastructure;

/// <summary><c>promtool check metrics</c> (Debian's prometheus package): Prometheus' own parser and linter of the text format.</summary>
internal static class Promtool
{
    public const string Binary = "/usr/bin/promtool";

    /// <summary>Returns promtool's exit code and what it printed about <paramref name="exposition"/>.</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: install Debian's prometheus package (.ci/install-deps.sh)");
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("check");
        start.ArgumentList.Add("metrics");
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output + error);
    }
}
