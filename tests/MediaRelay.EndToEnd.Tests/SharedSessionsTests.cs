using System.Net.Sockets;
using System.Text;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.EndToEnd.Tests.Relays;
using MediaRelay.EndToEnd.Tests.Sip;
using MediaRelay.Protocols.Bencode;
using Xunit.Abstractions;

namespace MediaRelay.EndToEnd.Tests;

/// <summary>
/// One relay, three control protocols at once: a call set up over ng by hand, a call through Kamailio's mediaproxy
/// module and a call through Kamailio's rtpproxy module (one Kamailio per module, each with its sipp caller and
/// callee). The three protocols drive the same sessions, so ng must list and count all three calls, and
/// rtpproxy's own report must count them too.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class SharedSessionsTests(ITestOutputHelper output) : IDisposable
{
    private const string NgCallId = "ng-shared";
    private const int NgPackets = 25;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("mediarelay-shared-").FullName;
    private readonly List<string> _notes = [];

    [Fact(Timeout = 90_000)]
    public async Task An_ng_call_a_mediaproxy_call_and_an_rtpproxy_call_share_one_relay_and_ng_sees_all_three()
    {
        using var timeout = new CancellationTokenSource(CallScenarios.HardTimeout - TimeSpan.FromSeconds(5));
        var token = timeout.Token;
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 40, controlDirectory: _workDirectory);
        var mediaProxyLeg = new Leg("mediaproxy", ProxyConfiguration.MediaProxyEngage, Directory.CreateDirectory(Path.Combine(_workDirectory, "mediaproxy")).FullName);
        var rtpproxyLeg = new Leg("rtpproxy", ProxyConfiguration.RtpproxyManage, Directory.CreateDirectory(Path.Combine(_workDirectory, "rtpproxy")).FullName);
        Leg[] legs = [mediaProxyLeg, rtpproxyLeg];
        using var relay = new MediaRelayDriver(
            endpoints,
            _workDirectory,
            [.. mediaProxyLeg.Configuration.RelayArguments(endpoints, mediaProxyLeg.Directory), .. rtpproxyLeg.Configuration.RelayArguments(endpoints, rtpproxyLeg.Directory), "--kernel-forwarding", "off"]);
        try
        {
            await relay.StartAsync(token);
            using var ng = new NgClient(endpoints.Ng);

            // The ng call, by hand, with RTP both ways.
            using var a = new UdpPhone();
            using var b = new UdpPhone();
            var (callerFacing, calleeFacing) = await NgCalls.CallAsync(ng, NgCallId, a, b);
            for (ushort i = 0; i < NgPackets; i++)
            {
                a.SendTo(UdpPhone.Rtp(i, 0xA), callerFacing);
                b.SendTo(UdpPhone.Rtp(i, 0xB), calleeFacing);
                await Task.Delay(20, token);
            }

            var toB = b.Drain(TimeSpan.FromMilliseconds(300));
            var toA = a.Drain(TimeSpan.FromMilliseconds(300));
            Assert.True(toB.Count == NgPackets && toB.All(p => p.From.Port == calleeFacing), $"the ng call's callee got {toB.Count} of {NgPackets} packets from the relay port {calleeFacing}");
            Assert.True(toA.Count == NgPackets && toA.All(p => p.From.Port == callerFacing), $"the ng call's caller got {toA.Count} of {NgPackets} packets from the relay port {callerFacing}");

            // One call through each Kamailio module, talking for 4 s, while the ng call stays up.
            var load = new CallLoad(Calls: 1, Concurrent: 1, MediaMilliseconds: 4000);
            foreach (var leg in legs)
            {
                await leg.StartAsync(endpoints, load, token);
            }

            // Ng sees the three calls, each with media both ways, at the same time.
            var calls = await WaitForCallsAsync(ng, relay, token);
            var ngCall = Assert.Single(calls, c => c.CallId == NgCallId);
            Assert.Equal((long)NgPackets, ngCall.FromCaller);
            Assert.Equal((long)NgPackets, ngCall.FromCallee);
            foreach (var leg in legs)
            {
                var call = Assert.Single(calls, c => c.CallId.StartsWith(leg.Name + "-", StringComparison.Ordinal));
                Assert.True(call.FromCaller > 0 && call.FromCallee > 0, $"the {leg.Name} call {call.CallId} has {call.FromCaller}/{call.FromCallee} RTP packets from caller/callee");
            }

            var statistics = await ng.StatisticsAsync(token);
            Assert.Equal(3L, NgReply.Integer(statistics, "statistics", "currentstatistics", "sessionsown"));
            Assert.Contains("active sessions: 3\n", await RtpproxyInfoAsync(endpoints, token), StringComparison.Ordinal);

            // Each module's call ends with the caller's BYE, the ng call with an ng delete: nothing is left.
            foreach (var leg in legs)
            {
                await leg.WaitForCallerAsync(token);
                Assert.Equal((1L, 0L), leg.Caller!.ReadCallCounts());
                Assert.Equal((1L, 0L), leg.Callee!.ReadCallCounts());
            }

            await NgCalls.SendOkAsync(ng, new BencodeDictionary { { "call-id", NgCallId }, { "command", "delete" }, { "from-tag", "a" } });
            var (sessionsLeft, portsLeft) = await WaitForNothingLeftAsync(ng, relay, token);
            Assert.Empty(sessionsLeft);
            Assert.Empty(portsLeft);
            Assert.Equal(0L, NgReply.Integer(await ng.StatisticsAsync(token), "statistics", "currentstatistics", "sessionsown"));
        }
        catch
        {
            WriteLogs(relay, legs);
            throw;
        }
        finally
        {
            foreach (var leg in legs)
            {
                leg.Dispose();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind harms nothing.
        }
    }

    /// <summary>Polls ng until it lists the ng call and one call of each module, each with RTP counted both ways.</summary>
    private async Task<List<RelayCallCounters>> WaitForCallsAsync(NgClient ng, RelayDriver relay, CancellationToken token)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        var seen = new List<RelayCallCounters>();
        while (DateTime.UtcNow < deadline)
        {
            seen.Clear();
            foreach (var callId in await ng.ListCallsAsync(token))
            {
                if (await ng.QueryAsync(callId, token) is { } reply)
                {
                    var fromCaller = NgReply.RtpPacketsFromTag(reply, callId == NgCallId ? "a" : "caller-");
                    var fromCallee = NgReply.RtpPacketsFromTag(reply, callId == NgCallId ? "b" : "callee-");
                    seen.Add(new RelayCallCounters(callId, fromCaller, fromCallee));
                }
            }

            if (seen.Count == 3 && seen.All(c => c.FromCaller > 0 && c.FromCallee > 0))
            {
                Note($"ng sees {string.Join(", ", seen.Select(c => $"{c.CallId} {c.FromCaller}/{c.FromCallee}"))}");
                return seen;
            }

            await Task.Delay(150, token);
        }

        Note($"ng listed {string.Join(", ", seen.Select(c => $"{c.CallId} {c.FromCaller}/{c.FromCallee}"))}");
        Assert.Fail($"ng did not list the three calls with media both ways within 15 s: {string.Join(", ", seen)}; relay log:\n{relay.Log}");
        return seen;
    }

    /// <summary>rtpproxy's "I" report, asked on the relay's rtpproxy socket as the proxy module would.</summary>
    private static async Task<string> RtpproxyInfoAsync(RelayEndpoints endpoints, CancellationToken token)
    {
        using var udp = new UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        await udp.SendAsync(Encoding.ASCII.GetBytes("e2e_1 I"), endpoints.Rtpproxy, token);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(TimeSpan.FromSeconds(2));
        var reply = await udp.ReceiveAsync(deadline.Token);
        return Encoding.ASCII.GetString(reply.Buffer);
    }

    private static async Task<(IReadOnlyList<string> Sessions, IReadOnlyList<int> Ports)> WaitForNothingLeftAsync(NgClient ng, RelayDriver relay, CancellationToken token)
    {
        var settle = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var sessions = await ng.ListCallsAsync(token);
            var ports = relay.BoundMediaPorts();
            if ((sessions.Count == 0 && ports.Count == 0) || settle.Elapsed > Settle)
            {
                return (sessions, ports);
            }

            await Task.Delay(200, token);
        }
    }

    private void WriteLogs(RelayDriver relay, IEnumerable<Leg> legs)
    {
        var text = new StringBuilder();
        foreach (var note in _notes)
        {
            text.Append("# ").AppendLine(note);
        }

        text.AppendLine("=== relay ===").AppendLine(relay.Log);
        foreach (var leg in legs)
        {
            text.AppendLine($"=== {leg.Name}: kamailio ===").AppendLine(leg.Proxy?.Log ?? "(not started)");
            text.AppendLine($"=== {leg.Name}: sipp callee ===").AppendLine(leg.Callee?.Log ?? "(not started)");
            text.AppendLine($"=== {leg.Name}: sipp caller ===").AppendLine(leg.Caller?.Log ?? "(not started)");
        }

        output.WriteLine(text.ToString());
    }

    private void Note(string note) => _notes.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {note}");

    /// <summary>One Kamailio with its module configuration, a sipp callee and a sipp caller, in their own directory.</summary>
    private sealed class Leg(string name, ProxyConfiguration configuration, string directory) : IDisposable
    {
        public string Name { get; } = name;

        public ProxyConfiguration Configuration { get; } = configuration;

        public string Directory { get; } = directory;

        public KamailioProxy? Proxy { get; private set; }

        public Sipp? Callee { get; private set; }

        public Sipp? Caller { get; private set; }

        public async Task StartAsync(RelayEndpoints relay, CallLoad load, CancellationToken token)
        {
            var audio = Sipp.WriteAudioFile(Directory);
            Callee = Sipp.StartCallee(Directory, load, Configuration, audio);
            Proxy = await KamailioProxy.StartAsync(Directory, Callee.SipPort, relay, Configuration, token);
            // Call-IDs "mediaproxy-1-..." and "rtpproxy-1-..." tell the relay's sessions apart.
            Caller = Sipp.StartCaller(Directory, Proxy.SipPort, load, Configuration, audio, callIdPrefix: Name);
        }

        public async Task WaitForCallerAsync(CancellationToken token)
        {
            Assert.True(await Caller!.WaitForExitAsync(TimeSpan.FromSeconds(20), token), $"the {Name} caller did not end its call within 20 s");
            Assert.True(await Callee!.WaitForExitAsync(Settle, token), $"the {Name} callee did not end within 5 s of its caller");
        }

        public void Dispose()
        {
            Caller?.Dispose();
            Callee?.Dispose();
            Proxy?.Dispose();
        }
    }
}
