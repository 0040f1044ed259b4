using System.Globalization;
using MediaRelay.EndToEnd.Tests.Infrastructure;

namespace MediaRelay.EndToEnd.Tests.Sip;

/// <summary>
/// One sipp instance (caller or callee) on 127.0.0.1, or on its address in a <see cref="CallNetwork"/>. Both sides use sipp's rtp_stream, which sends RTP from and
/// receives it on the single media socket bound at <see cref="MediaPort"/> (-mp), so every call of one instance
/// uses that one port; the relay's ports tell the calls apart. Plain UDP sockets: no root needed for sipp.
/// </summary>
internal sealed class Sipp : IDisposable
{
    private readonly ManagedProcess _process;
    private readonly string _statisticsFile;

    private Sipp(string role, int sipPort, int mediaPort, ManagedProcess process, string statisticsFile)
    {
        Role = role;
        SipPort = sipPort;
        MediaPort = mediaPort;
        _process = process;
        _statisticsFile = statisticsFile;
    }

    public string Role { get; }

    public int SipPort { get; }

    /// <summary>The port sipp sends RTP from and advertises in its SDP.</summary>
    public int MediaPort { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Log
    {
        get
        {
            var text = _process.Log;
            foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(_statisticsFile)!, Role + "*.log"))
            {
                text += $"\n--- {Path.GetFileName(file)} ---\n{File.ReadAllText(file)}";
            }

            return text;
        }
    }

    /// <summary>Starts the callee, which answers the load's calls and then exits.</summary>
    public static Sipp StartCallee(string workDirectory, CallLoad load, ProxyConfiguration configuration, string audioFile, CallNetwork? network = null)
    {
        network ??= CallNetwork.Loopback;
        var mediaStops = load.Ending == CallEnding.ProxyByeAfterMediaTimeout;
        var scenario = Assets.Fill(
            "uas.xml.template",
            new Dictionary<string, string>
            {
                ["AUDIO_FILE"] = audioFile,
                ["MEDIA_MS"] = load.MediaMilliseconds.ToString(CultureInfo.InvariantCulture),
                ["REJECT_ICE"] = configuration.CalleeMustNotSeeIce ? "true" : "false",
                ["IF_MEDIA_STOPS"] = Keep(mediaStops).Begin,
                ["END_IF_MEDIA_STOPS"] = Keep(mediaStops).End,
            });
        return Start("callee", workDirectory, scenario, remote: null, load.Calls, concurrent: null, network.CalleeAddress, network.CalleeNamespace);
    }

    /// <summary>
    /// Starts the caller: the load's calls through the proxy, so many at a time. With a <paramref name="callIdPrefix"/>
    /// every Call-ID starts with it (sipp's -cid_str), so a test can tell which caller a relay session belongs to.
    /// </summary>
    public static Sipp StartCaller(
        string workDirectory, int proxyPort, CallLoad load, ProxyConfiguration configuration, string audioFile, string? callIdPrefix = null,
        CallNetwork? network = null)
    {
        network ??= CallNetwork.Loopback;
        // ICE attributes as a browser or softphone would offer them; sipp cannot do ICE itself, so only the
        // configuration that strips ICE gets them.
        var proxyHangsUp = load.Ending == CallEnding.ProxyByeAfterMediaTimeout;
        var ice = configuration.OfferIce
            ? "      a=ice-ufrag:e2eK\n"
              + "      a=ice-pwd:e2ePasswordThatIsLongEnough22\n"
              + "      a=candidate:1 1 UDP 2130706431 [media_ip] [rtpstream_audio_port] typ host\n"
            : string.Empty;
        var scenario = Assets.Fill(
            "uac.xml.template",
            new Dictionary<string, string>
            {
                ["AUDIO_FILE"] = audioFile,
                ["MEDIA_MS"] = load.MediaMilliseconds.ToString(CultureInfo.InvariantCulture),
                ["OFFER_ICE"] = ice,
                ["IF_CALLER_HANGS_UP"] = Keep(!proxyHangsUp).Begin,
                ["END_IF_CALLER_HANGS_UP"] = Keep(!proxyHangsUp).End,
                ["IF_PROXY_HANGS_UP"] = Keep(proxyHangsUp).Begin,
                ["END_IF_PROXY_HANGS_UP"] = Keep(proxyHangsUp).End,
            });
        return Start("caller", workDirectory, scenario, remote: network.ProxyAddress + ":" + proxyPort.ToString(CultureInfo.InvariantCulture), load.Calls, load.Concurrent,
            network.CallerAddress, network.CallerNamespace, callIdPrefix is null ? [] : ["-cid_str", callIdPrefix + "-%u-%p@%s"]);
    }

    /// <summary>
    /// A second of PCMU (RFC 3551 section 4.5.14) for rtp_stream to loop: a quiet 400 Hz tone, so the payload is
    /// not one repeated byte. sipp sends it as 160-byte, 20 ms packets.
    /// </summary>
    public static string WriteAudioFile(string workDirectory)
    {
        var samples = new byte[8000];
        for (var i = 0; i < samples.Length; i++)
        {
            var linear = (short)(2000 * Math.Sin(2 * Math.PI * 400 * i / 8000.0));
            samples[i] = LinearToMuLaw(linear);
        }

        var path = Path.Combine(workDirectory, "tone.pcmu");
        File.WriteAllBytes(path, samples);
        return path;
    }

    /// <summary>Successful and failed calls from the last line of sipp's -trace_stat file.</summary>
    public (long Successful, long Failed) ReadCallCounts()
    {
        if (!File.Exists(_statisticsFile))
        {
            return (0, 0);
        }

        var lines = File.ReadAllLines(_statisticsFile).Where(l => l.Length > 0).ToList();
        if (lines.Count < 2)
        {
            return (0, 0);
        }

        var header = lines[0].Split(';');
        var last = lines[^1].Split(';');
        long Column(string name)
        {
            var index = Array.IndexOf(header, name);
            return index >= 0 && index < last.Length && long.TryParse(last[index], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                ? value
                : 0;
        }

        return (Column("SuccessfulCall(C)"), Column("FailedCall(C)"));
    }

    public Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _process.WaitForExitAsync(timeout, cancellationToken);

    public void Dispose() => _process.Dispose();

    /// <summary>The markers around an optional part of a scenario template: nothing to keep it, an XML comment to drop it.</summary>
    private static (string Begin, string End) Keep(bool keep) => keep ? (string.Empty, string.Empty) : ("<!--", "-->");

    private static Sipp Start(
        string role, string workDirectory, string scenario, string? remote, int calls, int? concurrent, string address, NetworkNamespace? ns,
        string[]? extra = null)
    {
        var scenarioPath = Path.Combine(workDirectory, role + ".xml");
        File.WriteAllText(scenarioPath, scenario);
        var statisticsFile = Path.Combine(workDirectory, role + "-stats.csv");
        var sipPort = UdpPorts.FreePort();
        // sipp binds the media port and port + 2 (its second echo stream); keep RTCP's + 1 and + 3 free too.
        var mediaPort = UdpPorts.FreeBlock(4);
        var arguments = new List<string>();
        if (remote is not null)
        {
            arguments.Add(remote);
        }

        arguments.AddRange(
        [
            "-sf", scenarioPath,
            "-i", address,
            "-p", sipPort.ToString(CultureInfo.InvariantCulture),
            "-mi", address,
            "-mp", mediaPort.ToString(CultureInfo.InvariantCulture),
            "-cp", UdpPorts.FreePort().ToString(CultureInfo.InvariantCulture),
            "-m", calls.ToString(CultureInfo.InvariantCulture),
            "-nostdin",
            "-trace_err",
            "-trace_stat",
            "-stf", statisticsFile,
            "-fd", "1",
            "-timeout", "50",
            "-timeout_error",
        ]);
        if (concurrent is int limit)
        {
            arguments.AddRange(["-l", limit.ToString(CultureInfo.InvariantCulture), "-r", "10"]);
        }

        arguments.AddRange(extra ?? []);

        var process = CallNetwork.Start(ns, role, Environment.GetEnvironmentVariable("SIPP") ?? "sipp", arguments, workDirectory);
        return new Sipp(role, sipPort, mediaPort, process, statisticsFile);
    }

    private static byte LinearToMuLaw(short sample)
    {
        // G.711 mu-law encoding: bias, find the segment, keep 4 mantissa bits, invert.
        const int Bias = 0x84;
        const int Clip = 32635;
        var sign = sample < 0 ? 0x80 : 0;
        var magnitude = Math.Min(Math.Abs((int)sample), Clip) + Bias;
        var exponent = 7;
        for (var mask = 0x4000; (magnitude & mask) == 0 && exponent > 0; mask >>= 1)
        {
            exponent--;
        }

        var mantissa = (magnitude >> (exponent + 3)) & 0x0F;
        return (byte)~(sign | (exponent << 4) | mantissa);
    }
}
