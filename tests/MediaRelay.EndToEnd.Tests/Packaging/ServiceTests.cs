using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.EndToEnd.Tests.Relays;
using static MediaRelay.EndToEnd.Tests.Infrastructure.RelayProcess;

namespace MediaRelay.EndToEnd.Tests.Packaging;

/// <summary>
/// What the relay does for systemd, with the built relay (no publish): sd_notify states on NOTIFY_SOCKET (READY=1,
/// STATUS= while draining, STOPPING=1), and journal log lines (syslog priority prefix, no timestamp) when stderr is
/// the stream JOURNAL_STREAM names.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ServiceTests : IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("mediarelay-service-").FullName;

    [Fact(Timeout = 60_000)]
    public async Task An_abstract_notify_socket_gets_ready_then_draining_status_then_stopping()
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 20);
        using var notify = NotifyListener.Abstract($"mediarelay-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        using var process = Start(_workDirectory, RunOn(endpoints, "--kernel-forwarding", "off", "--management-listen", ""),
            launcher: ["env", "NOTIFY_SOCKET=" + notify.Address]);

        await notify.WaitForAsync("READY=1", TimeSpan.FromSeconds(30), () => process.Log);
        using var ng = new NgClient(endpoints.Ng);
        Assert.True(await ng.PingAsync(TimeSpan.FromSeconds(2), CancellationToken.None), "no pong right after READY=1:\n" + process.Log);

        // systemctl reload: SIGHUP drains; with no call running the relay stops at once, exit 0.
        Signal(process.Id, "HUP");
        var draining = await notify.WaitForAsync("STATUS=draining: new calls refused, 0 call(s) running", TimeSpan.FromSeconds(10), () => process.Log);
        await notify.WaitForAsync("STOPPING=1", TimeSpan.FromSeconds(10), () => process.Log);
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(20), CancellationToken.None), process.Log);
        Assert.Equal(0, process.ExitCode);
        Assert.DoesNotContain("READY=1", draining, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Without_notify_socket_nothing_is_sent_and_the_relay_runs()
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 20);
        using var process = Start(_workDirectory, RunOn(endpoints, "--kernel-forwarding", "off", "--management-listen", "", "--log-level", "Debug"),
            launcher: ["env", "-u", "NOTIFY_SOCKET"]);
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);
        var log = string.Join('\n', process.Log.Split('\n').Skip(1)); // after the command line
        Assert.Contains("dbug: ", log, StringComparison.Ordinal);
        Assert.DoesNotContain("told systemd", log, StringComparison.Ordinal);
        Assert.DoesNotContain("NOTIFY_SOCKET", log, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Under_the_journal_lines_carry_syslog_priorities_and_no_timestamp()
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 20);
        // A port of the range held by someone else: a Warning line, to see its priority.
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, endpoints.PortMin + 2));
        // systemd connects stdout and stderr to the journal and names that stream in JOURNAL_STREAM=DEVICE:INODE; here
        // the stream is the test's pipe, named the same way.
        using var process = Start(_workDirectory, RunOn(endpoints, "--kernel-forwarding", "off", "--management-listen", ""),
            launcher: ["sh", "-c", "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/$$/fd/1) exec \"$@\"", "sh"]);
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);

        Assert.Matches(@"(?m)^<6>MediaRelay\.Host\.Hosting\.RelayService\[200\] media on 127\.0\.0\.1 ports ", process.Log);
        Assert.Matches(@"(?m)^<4>MediaRelay\.Host\.Hosting\.RelayService\[225\] port range ", process.Log);
        Assert.DoesNotMatch(@"(?m)^\d{4}-\d\d-\d\dT", process.Log);
        Assert.DoesNotContain(" info: ", process.Log, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_journal_stream_that_is_not_stdout_or_stderr_keeps_the_timestamped_format()
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 20);
        // Inherited from a unit by a shell whose output goes elsewhere: not the journal.
        using var process = Start(_workDirectory, RunOn(endpoints, "--kernel-forwarding", "off", "--management-listen", ""),
            launcher: ["env", "JOURNAL_STREAM=8:1"]);
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);
        Assert.Matches(@"(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} info: MediaRelay\.Host\.Hosting\.RelayService\[200\] media on ", process.Log);
    }

    [Fact(Timeout = 60_000)]
    public async Task Log_format_systemd_is_forced_by_option_and_an_unknown_format_is_a_configuration_error()
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 20);
        using (var process = Start(_workDirectory, RunOn(endpoints, "--kernel-forwarding", "off", "--management-listen", "", "--log-format", "systemd")))
        {
            using var ng = new NgClient(endpoints.Ng);
            await WaitForNgAsync(ng, process);
            Assert.Matches(@"(?m)^<6>MediaRelay\.Host\.Hosting\.RelayService\[200\] ", process.Log);
        }

        using var refused = Start(_workDirectory, RunOn(endpoints, "--log-format", "xml"));
        Assert.True(await refused.WaitForExitAsync(TimeSpan.FromSeconds(30), CancellationToken.None), refused.Log);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("mediarelay: configuration error: log-format 'xml' is not known: give auto, simple or systemd", refused.Log, StringComparison.Ordinal);
    }

    private static void Signal(int processId, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, processId.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);
}
