using System.Diagnostics;
using System.Globalization;
using MediaRelay.LoadGen.Media;
using MediaRelay.LoadGen.Ng;
using MediaRelay.LoadGen.Report;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.LoadGen.Scenarios;

/// <summary>
/// Offers, answers and deletes calls over ng and keeps each command's latency. Thread-safe: latency lists are
/// locked, everything else is immutable.
/// </summary>
internal sealed class CallControl : IDisposable
{
    private readonly NgClient _client;
    private readonly string _runTag;
    private readonly System.Net.IPAddress _mediaAddress;
    private readonly List<long> _offerTicks = [];
    private readonly List<long> _answerTicks = [];
    private readonly List<long> _deleteTicks = [];
    private long _errors;

    public CallControl(LoadGenOptions options)
    {
        _client = new NgClient(options.Relay, TimeSpan.FromMilliseconds(options.NgTimeoutMs), 3);
        _runTag = "lg-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-"
            + (Stopwatch.GetTimestamp() % 1_000_000_007).ToString(CultureInfo.InvariantCulture);
        _mediaAddress = options.MediaAddress;
    }

    public long Errors => Interlocked.Read(ref _errors);

    public string? FirstError { get; private set; }

    public static string CallId(string runTag, int call) => runTag + "-" + call.ToString(CultureInfo.InvariantCulture);

    /// <summary>Offer from the caller, answer from the callee; returns the relay's two ports or null.</summary>
    public async Task<(System.Net.IPEndPoint ForCaller, System.Net.IPEndPoint ForCallee)?> SetupAsync(int call, int callerPort, int calleePort)
    {
        var callId = CallId(_runTag, call);
        var offer = await _client.SendAsync(new BencodeDictionary
        {
            { "command", "offer" },
            { "call-id", callId },
            { "from-tag", "ft-" + call.ToString(CultureInfo.InvariantCulture) },
            { "sdp", SdpText.BuildAudio(_mediaAddress, callerPort, call + 1) },
            { "replace", new BencodeList { "origin", "session-connection" } },
            { "ICE", "remove" },
        });
        Record(_offerTicks, offer);
        if (!offer.Ok || offer.Sdp is null || !SdpText.TryParseAudioEndpoint(offer.Sdp, out var forCallee) || forCallee is null)
        {
            Fail("offer " + (offer.Error ?? "reply without usable SDP"));
            return null;
        }

        var answer = await _client.SendAsync(new BencodeDictionary
        {
            { "command", "answer" },
            { "call-id", callId },
            { "from-tag", "ft-" + call.ToString(CultureInfo.InvariantCulture) },
            { "to-tag", "tt-" + call.ToString(CultureInfo.InvariantCulture) },
            { "sdp", SdpText.BuildAudio(_mediaAddress, calleePort, call + 1_000_001) },
            { "replace", new BencodeList { "origin", "session-connection" } },
            { "ICE", "remove" },
        });
        Record(_answerTicks, answer);
        if (!answer.Ok || answer.Sdp is null || !SdpText.TryParseAudioEndpoint(answer.Sdp, out var forCaller) || forCaller is null)
        {
            Fail("answer " + (answer.Error ?? "reply without usable SDP"));
            return null;
        }

        return (forCaller, forCallee);
    }

    public async Task<bool> DeleteAsync(int call)
    {
        var result = await _client.SendAsync(new BencodeDictionary
        {
            { "command", "delete" },
            { "call-id", CallId(_runTag, call) },
            { "from-tag", "ft-" + call.ToString(CultureInfo.InvariantCulture) },
        });
        Record(_deleteTicks, result);
        if (!result.Ok)
        {
            Fail("delete " + result.Error);
        }

        return result.Ok;
    }

    public static Task ForEachAsync(int count, int concurrency, Func<int, Task> body) =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency) },
            async (call, _) => await body(call));

    public void AddLatencyFigures(RunReport report, bool includeDelete)
    {
        report.Add("offer_p50_ms", Percentile(_offerTicks, 0.50));
        report.Add("offer_p99_ms", Percentile(_offerTicks, 0.99));
        report.Add("answer_p50_ms", Percentile(_answerTicks, 0.50));
        report.Add("answer_p99_ms", Percentile(_answerTicks, 0.99));
        if (includeDelete)
        {
            report.Add("delete_p50_ms", Percentile(_deleteTicks, 0.50));
            report.Add("delete_p99_ms", Percentile(_deleteTicks, 0.99));
        }
    }

    public void Dispose() => _client.Dispose();

    private void Record(List<long> list, NgResult result)
    {
        if (!result.Ok)
        {
            return;
        }

        lock (list)
        {
            list.Add(result.ElapsedTicks);
        }
    }

    private void Fail(string reason)
    {
        if (Interlocked.Increment(ref _errors) == 1)
        {
            FirstError = reason;
        }
    }

    private static double Percentile(List<long> ticks, double quantile)
    {
        lock (ticks)
        {
            if (ticks.Count == 0)
            {
                return double.NaN;
            }

            var sorted = ticks.ToArray();
            Array.Sort(sorted);
            var index = Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1);
            return sorted[index] * 1000.0 / Stopwatch.Frequency;
        }
    }
}
