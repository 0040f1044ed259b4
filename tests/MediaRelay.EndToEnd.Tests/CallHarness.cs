using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.EndToEnd.Tests.Relays;
using MediaRelay.EndToEnd.Tests.Sip;
using Xunit.Abstractions;

namespace MediaRelay.EndToEnd.Tests;

/// <summary>How the calls of a test end.</summary>
public enum CallEnding
{
    /// <summary>The caller stops its RTP after the media time and sends a BYE.</summary>
    CallerBye,

    /// <summary>
    /// Both phones stop their RTP after the media time and keep the call up; the relay times the media out, has the
    /// proxy end the dialog, and the proxy sends a BYE to each phone, which each must receive and answer.
    /// </summary>
    ProxyByeAfterMediaTimeout,
}

/// <summary>The call load of one test: how many calls, how many at once, how long each streams RTP, how they end.</summary>
public sealed record CallLoad(int Calls = 10, int Concurrent = 2, int MediaMilliseconds = 2000, CallEnding Ending = CallEnding.CallerBye)
{
    /// <summary>sipp's rtp_stream sends one 20 ms packet every 20 ms.</summary>
    public int ExpectedPacketsPerCallDirection => MediaMilliseconds / 20;
}

/// <summary>Packets the relay reported receiving from each side of one call, the highest value seen while polling.</summary>
public sealed record RelayCallCounters(string CallId, long FromCaller, long FromCallee, long KernelFromCaller = 0, long KernelFromCallee = 0);

/// <summary>What one run of calls through Kamailio and the relay produced.</summary>
public sealed record CallRunResult
{
    public required long CallerSuccessfulCalls { get; init; }

    public required long CallerFailedCalls { get; init; }

    public required int CallerExitCode { get; init; }

    public required long CalleeSuccessfulCalls { get; init; }

    public required long CalleeFailedCalls { get; init; }

    /// <summary>Per call, from the relay's ng "query" replies.</summary>
    public required IReadOnlyList<RelayCallCounters> RelayCalls { get; init; }

    /// <summary>RTP packets sipp's caller sent to the relay's ports (captured on loopback, or in the relay's namespace).</summary>
    public required long CallerSentToRelay { get; init; }

    /// <summary>RTP packets that reached sipp's callee media port from a relay port.</summary>
    public required long CalleeReceivedFromRelay { get; init; }

    public required long CalleeSentToRelay { get; init; }

    public required long CallerReceivedFromRelay { get; init; }

    /// <summary>RTP packets between the two sipp instances that bypassed the relay.</summary>
    public required long BypassedRelay { get; init; }

    /// <summary>Call-IDs the relay still lists ("list") once every call has ended.</summary>
    public required IReadOnlyList<string> SessionsLeft { get; init; }

    /// <summary>"statistics" / "currentstatistics" / "sessionsown" once every call has ended.</summary>
    public required long? SessionsOwnLeft { get; init; }

    /// <summary>UDP ports in the relay's media range the relay still has bound once every call has ended.</summary>
    public required IReadOnlyList<int> PortsLeftBound { get; init; }

    /// <summary>Most ports of the relay's range seen bound at once during the calls (shows the range was used).</summary>
    public required int PeakPortsBound { get; init; }

    /// <summary>From the start of the sipp caller to its exit.</summary>
    public required TimeSpan CallerRunTime { get; init; }

    /// <summary>Per Call-ID, why the relay ended the session, from its "session ... ended: REASON," log lines.</summary>
    public required IReadOnlyDictionary<string, string> RelayEndReasons { get; init; }

    /// <summary>The proxy's replies to the relay's dialog ends (MediaProxy's --mediaproxy-dialog-end), from the relay log.</summary>
    public required IReadOnlyList<string> DialogEndReplies { get; init; }
}

/// <summary>
/// Runs one end-to-end scenario: relay, Kamailio in front of it, a sipp callee and a sipp caller, a loopback RTP
/// capture, and a poller that asks the relay over ng for its per-call counters while the calls run. Disposing kills
/// every process it started. <see cref="WriteLogs"/> puts every process's output in the test output.
/// </summary>
internal sealed partial class CallHarness : IDisposable
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(5);

    private readonly ITestOutputHelper _output;
    private readonly RelayDriver _relay;
    private readonly string _workDirectory;
    private readonly List<string> _notes = [];
    private KamailioProxy? _proxy;
    private Sipp? _callee;
    private Sipp? _caller;
    private readonly List<(string Where, RtpCapture Capture)> _captures = [];

    public CallHarness(ITestOutputHelper output, Func<RelayEndpoints, string, RelayDriver> relayFactory)
    {
        _output = output;
        _workDirectory = Directory.CreateTempSubdirectory("mediarelay-e2e-").FullName;
        // 2 concurrent calls need 8 ports; room for a relay that frees ports late or picks them at random.
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 40, controlDirectory: _workDirectory);
        _relay = relayFactory(endpoints, _workDirectory);
    }

    /// <summary>
    /// Runs the calls. On a <paramref name="network"/> of namespaces, RTP is counted where it arrives: what the phones
    /// sent to the relay in the relay's namespace, what the relay sent to each phone in that phone's namespace (a
    /// capture sees only what its namespace receives); on loopback one capture sees it all.
    /// </summary>
    public async Task<CallRunResult> RunAsync(ProxyConfiguration configuration, CallLoad load, CancellationToken cancellationToken,
        CallNetwork? network = null)
    {
        network ??= CallNetwork.Loopback;
        var clock = Stopwatch.StartNew();
        Note($"work directory {_workDirectory}; relay {_relay.Name} ng {_relay.Endpoints.Ng}, media {_relay.Endpoints.PortMin}-{_relay.Endpoints.PortMax}; proxy {configuration}");

        RtpCapture Capture(NetworkNamespace? ns)
        {
            var capture = ns is null ? RtpCapture.Start() : ns.Enter(() => RtpCapture.Start(System.Net.IPAddress.Any));
            _captures.Add((ns is null ? "on loopback" : "received in namespace " + ns.Name, capture));
            return capture;
        }

        var atRelay = Capture(network.ProxyNamespace);
        var atCaller = network.OnLoopback ? atRelay : Capture(network.CallerNamespace);
        var atCallee = network.OnLoopback ? atRelay : Capture(network.CalleeNamespace);
        await _relay.StartAsync(cancellationToken);
        using var ng = _relay.CreateNgClient();

        var audio = Sipp.WriteAudioFile(_workDirectory);
        _callee = Sipp.StartCallee(_workDirectory, load, configuration, audio, network);
        _proxy = await KamailioProxy.StartAsync(_workDirectory, _callee.SipPort, _relay.Endpoints, configuration, cancellationToken, network);
        Note($"ready after {clock.ElapsedMilliseconds} ms: kamailio {network.ProxyAddress}:{_proxy.SipPort}, callee {network.CalleeAddress} sip {_callee.SipPort} media {_callee.MediaPort}");

        var callerClock = Stopwatch.StartNew();
        _caller = Sipp.StartCaller(_workDirectory, _proxy.SipPort, load, configuration, audio, network: network);
        Note($"caller {network.CallerAddress} sip {_caller.SipPort} media {_caller.MediaPort}");

        var counters = new Dictionary<string, RelayCallCounters>(StringComparer.Ordinal);
        var peakPorts = 0;
        string? lastPollError = null;
        while (!_caller.HasExited)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_callee.HasExited && _callee.ExitCode != 0)
            {
                throw new InvalidOperationException($"sipp callee exited with code {_callee.ExitCode} while the caller was still calling");
            }

            try
            {
                await PollRelayAsync(ng, counters, cancellationToken);
            }
            catch (Exception exception) when (exception is TimeoutException or InvalidDataException or System.Net.Sockets.SocketException)
            {
                lastPollError = exception.Message;
            }

            peakPorts = Math.Max(peakPorts, _relay.BoundMediaPorts().Count);
            await Task.Delay(150, cancellationToken);
        }

        var callerRunTime = callerClock.Elapsed;
        Note($"caller exited with {_caller.ExitCode} after {clock.ElapsedMilliseconds} ms; {counters.Count} calls seen on the relay"
            + (lastPollError is null ? string.Empty : $"; last ng poll error: {lastPollError}"));
        if (!await _callee.WaitForExitAsync(SettleTimeout, cancellationToken))
        {
            Note("callee still running 5 s after the caller ended");
        }

        // Teardown is asynchronous on the relay side: give it a moment to drop sessions and close sockets.
        IReadOnlyList<string> sessionsLeft = [];
        IReadOnlyList<int> portsLeft = [];
        var settle = Stopwatch.StartNew();
        do
        {
            sessionsLeft = await ng.ListCallsAsync(cancellationToken);
            portsLeft = _relay.BoundMediaPorts();
            if (sessionsLeft.Count == 0 && portsLeft.Count == 0)
            {
                break;
            }

            await Task.Delay(200, cancellationToken);
        }
        while (settle.Elapsed < SettleTimeout);

        long? sessionsOwn = null;
        var statistics = await ng.StatisticsAsync(cancellationToken);
        if (NgReply.Integer(statistics, "statistics", "currentstatistics", "sessionsown") is { } own)
        {
            sessionsOwn = own;
        }

        var caller = _caller.ReadCallCounts();
        var callee = _callee.ReadCallCounts();
        var relayRange = _relay.Endpoints;
        var callerPort = _caller.MediaPort;
        var calleePort = _callee.MediaPort;
        var result = new CallRunResult
        {
            CallerSuccessfulCalls = caller.Successful,
            CallerFailedCalls = caller.Failed,
            CallerExitCode = _caller.ExitCode,
            CalleeSuccessfulCalls = callee.Successful,
            CalleeFailedCalls = callee.Failed,
            RelayCalls = [.. counters.Values.OrderBy(c => c.CallId, StringComparer.Ordinal)],
            CallerSentToRelay = atRelay.Count(s => s == callerPort, relayRange.InMediaRange),
            CalleeReceivedFromRelay = atCallee.Count(relayRange.InMediaRange, d => d == calleePort),
            CalleeSentToRelay = atRelay.Count(s => s == calleePort, relayRange.InMediaRange),
            CallerReceivedFromRelay = atCaller.Count(relayRange.InMediaRange, d => d == callerPort),
            BypassedRelay = _captures.Sum(c => c.Capture.Count(s => s == callerPort || s == calleePort, d => d == callerPort || d == calleePort)),
            SessionsLeft = sessionsLeft,
            SessionsOwnLeft = sessionsOwn,
            PortsLeftBound = portsLeft,
            PeakPortsBound = peakPorts,
            CallerRunTime = callerRunTime,
            RelayEndReasons = SessionEnded().Matches(_relay.Log).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal),
            DialogEndReplies = [.. DialogEndAnswered().Matches(_relay.Log).Select(m => m.Groups[1].Value)],
        };
        var summary = Describe(result);
        Note(summary);
        _output.WriteLine($"{_relay.Name}, {configuration}: {summary}");
        return result;
    }

    /// <summary>Writes the harness notes, the capture and every process's output to the test output.</summary>
    public void WriteLogs()
    {
        var text = new StringBuilder();
        foreach (var note in _notes)
        {
            text.Append("# ").AppendLine(note);
        }

        foreach (var (where, capture) in _captures)
        {
            text.AppendLine($"=== RTP flows {where} (source port -> destination port) ===").AppendLine(capture.Describe());
        }

        Append(text, "relay " + _relay.Name, _relay.Log);
        Append(text, "kamailio", _proxy?.Log);
        Append(text, "sipp callee", _callee?.Log);
        Append(text, "sipp caller", _caller?.Log);
        _output.WriteLine(text.ToString());
    }

    public void Dispose()
    {
        _caller?.Dispose();
        _callee?.Dispose();
        _proxy?.Dispose();
        _relay.Dispose();
        foreach (var (_, capture) in _captures)
        {
            capture.Dispose();
        }

        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind harms nothing.
        }
    }

    private static string Describe(CallRunResult r) =>
        $"calls: caller {r.CallerSuccessfulCalls} ok / {r.CallerFailedCalls} failed (exit {r.CallerExitCode}), callee {r.CalleeSuccessfulCalls} ok / {r.CalleeFailedCalls} failed; "
        + $"capture: caller->relay {r.CallerSentToRelay}, relay->callee {r.CalleeReceivedFromRelay}, callee->relay {r.CalleeSentToRelay}, relay->caller {r.CallerReceivedFromRelay}, bypass {r.BypassedRelay}; "
        + $"relay per call (from caller/from callee, of which in the kernel): {string.Join(", ", r.RelayCalls.Select(c => $"{c.FromCaller}/{c.FromCallee} ({c.KernelFromCaller}/{c.KernelFromCallee})"))}; "
        + $"left: sessions {r.SessionsLeft.Count}, sessionsown {r.SessionsOwnLeft?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "n/a"}, ports {r.PortsLeftBound.Count}; peak ports bound {r.PeakPortsBound}; "
        + $"caller ran {r.CallerRunTime.TotalSeconds:F1} s; relay end reasons: {string.Join(", ", r.RelayEndReasons.Values.GroupBy(v => v).Select(g => $"{g.Key} x{g.Count()}"))}; "
        + $"dialog ends answered: {r.DialogEndReplies.Count}";

    private static void Append(StringBuilder text, string title, string? log)
    {
        text.AppendLine($"=== {title} ===");
        text.AppendLine(log ?? "(not started)");
    }

    private static async Task PollRelayAsync(NgClient ng, Dictionary<string, RelayCallCounters> counters, CancellationToken cancellationToken)
    {
        foreach (var callId in await ng.ListCallsAsync(cancellationToken))
        {
            var reply = await ng.QueryAsync(callId, cancellationToken);
            if (reply is null)
            {
                continue; // Ended between "list" and "query".
            }

            var fromCaller = NgReply.RtpPacketsFromTag(reply, "caller-");
            var fromCallee = NgReply.RtpPacketsFromTag(reply, "callee-");
            var kernelFromCaller = NgReply.RtpPacketsFromTag(reply, "caller-", "kernel stats");
            var kernelFromCallee = NgReply.RtpPacketsFromTag(reply, "callee-", "kernel stats");
            counters[callId] = counters.TryGetValue(callId, out var seen)
                ? new RelayCallCounters(callId, Math.Max(seen.FromCaller, fromCaller), Math.Max(seen.FromCallee, fromCallee),
                    Math.Max(seen.KernelFromCaller, kernelFromCaller), Math.Max(seen.KernelFromCallee, kernelFromCallee))
                : new RelayCallCounters(callId, fromCaller, fromCallee, kernelFromCaller, kernelFromCallee);
        }
    }

    [GeneratedRegex(@"session (\S+) ended: ([^,]+),")]
    private static partial Regex SessionEnded();

    [GeneratedRegex(@"answered the end of dialog \S+: (.*)$", RegexOptions.Multiline)]
    private static partial Regex DialogEndAnswered();

    private void Note(string note) => _notes.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {note}");
}
