using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.Management.Tests.Infrastructure;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Accounting.Tests.Infrastructure;

/// <summary>What the accounting tests do to a running relay: delete calls, stop it, wait for its log lines.</summary>
internal static partial class RelayControl
{
    public static Task DeleteAsync(RunningRelay relay, string callId) =>
        NgCalls.SendOkAsync(relay.Ng, new BencodeDictionary { { "call-id", callId }, { "command", "delete" }, { "from-tag", "a" } });

    /// <summary>SIGTERM, and the relay's exit code once it has stopped.</summary>
    public static async Task<int> StopAsync(ManagedProcess process)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(60), CancellationToken.None), "no exit within 60 s of SIGTERM:\n" + process.Log);
        await Task.Delay(200); // the last lines of its output
        return process.ExitCode;
    }

    public static async Task WaitForLogAsync(ManagedProcess process, string text, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!process.Log.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline && !process.HasExited, $"'{text}' never logged:\n{process.Log}");
            await Task.Delay(50);
        }
    }

    /// <summary>The relay's own end-of-session line for a call: reason, packets, kernel packets, bytes, errors, timeout wait.</summary>
    public static (string Reason, long Packets, long KernelPackets, long Bytes, long Errors, double TimeoutWait) EndLine(ManagedProcess process, string callId)
    {
        var match = Regex.Match(process.Log, $@"session {Regex.Escape(callId)} ended: (?<reason>[^,]+), duration [\d.]+ s, (?<packets>\d+) packets \((?<kernel>\d+) in the kernel\), (?<bytes>\d+) bytes, (?<errors>\d+) dropped, timeout_wait (?<wait>\d+) s");
        Assert.True(match.Success, $"no end line for {callId}:\n{process.Log}");
        return (match.Groups["reason"].Value, long.Parse(match.Groups["packets"].Value, CultureInfo.InvariantCulture),
            long.Parse(match.Groups["kernel"].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups["bytes"].Value, CultureInfo.InvariantCulture),
            long.Parse(match.Groups["errors"].Value, CultureInfo.InvariantCulture), double.Parse(match.Groups["wait"].Value, CultureInfo.InvariantCulture));
    }
}
