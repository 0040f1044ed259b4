using System.Globalization;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.EndToEnd.Tests.Relays;
using static MediaRelay.EndToEnd.Tests.Ng.NgCalls;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.EndToEnd.Tests.Security;

/// <summary>
/// Issue 15, findings 1, 2, 5 and 6, mounted as an attacker would against a running `mediarelay` over loopback UDP:
/// each test performs the attack the adversarial review reproduced and asserts the rule that now stops it.
/// Phones are on 127.0.0.1, strangers on 127.0.0.2; the relay's media range lies below the ephemeral range.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class MediaPathAttackTests : IDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("mediarelay-attack-").FullName;

    [Fact(Timeout = 60_000)]
    public async Task An_ng_command_injected_through_the_media_path_never_reaches_the_ng_socket()
    {
        using var relay = await StartAsync();
        using var ng = new NgClient(relay.Endpoints.Ng);
        using var victimCaller = new UdpPhone();
        using var victimCallee = new UdpPhone();
        await CallAsync(ng, "victim", victimCaller, victimCallee);

        // The attacker's call: its callee SDP names the relay's own ng socket.
        using var attacker = new UdpPhone();
        await OfferAsync(ng, "attack", "a", Sdp("127.0.0.1", attacker.EndPoint.Port));
        var callerFacing = await AnswerAsync(ng, "attack", "a", "b", Sdp("127.0.0.1", relay.Endpoints.Ng.Port));

        foreach (var command in new[]
        {
            new BencodeDictionary { { "command", "list" } },
            new BencodeDictionary { { "call-id", "victim" }, { "command", "query" } },
            new BencodeDictionary { { "call-id", "victim" }, { "command", "delete" } },
        })
        {
            // A 12-byte RTP header (the "cookie"), a space, then the bencoded command (finding 1).
            attacker.SendTo([.. UdpPhone.Rtp(1, 0xBAD)[..12], (byte)' ', .. BencodeWriter.ToArray(command)], callerFacing);
        }

        Assert.Empty(attacker.Drain(Quiet));
        Assert.Contains("victim", await ng.ListCallsAsync(CancellationToken.None));
        var attack = await ng.QueryAsync("attack", CancellationToken.None);
        Assert.Equal(3, TotalOf(attack!, "packets"));
        Assert.Contains("SDP destination 127.0.0.1:" + relay.Endpoints.Ng.Port.ToString(CultureInfo.InvariantCulture) + " is refused (OwnSocket)", relay.Log, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_stranger_packet_cannot_start_a_loop_through_the_relay_and_the_calls_expire_on_time()
    {
        const int Calls = 8;
        using var relay = await StartAsync("--stream-timeout", "3");
        using var ng = new NgClient(relay.Endpoints.Ng);
        using var stranger = new UdpPhone("127.0.0.2");
        for (var i = 0; i < Calls; i++)
        {
            // The caller's SDP names the relay's address; the callee's names the caller-facing relay port, which is
            // predictable: the pair allocated just before the callee-facing one (finding 2).
            var callId = "loop-" + i.ToString(CultureInfo.InvariantCulture);
            var calleeFacing = await OfferAsync(ng, callId, "a", Sdp("127.0.0.1", 30000));
            var callerFacing = await AnswerAsync(ng, callId, "a", "b", Sdp("127.0.0.1", calleeFacing - 2));
            Assert.Equal(calleeFacing - 2, callerFacing);
            stranger.SendTo(UdpPhone.Rtp(1, 0x5EED), callerFacing);
        }

        var cpuBefore = CpuSeconds(relay.ProcessId);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var cpu = CpuSeconds(relay.ProcessId) - cpuBefore;
        Assert.True(cpu < 0.2, $"the relay used {cpu:F2} s of CPU in 2 s after the stranger packets: a loop is running");

        // Nothing keeps the calls alive: they end as no-traffic timeouts, 3 s after their last real packet.
        var deadline = DateTime.UtcNow.AddSeconds(6);
        while ((await ng.ListCallsAsync(CancellationToken.None)).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the looping calls never expired:\n" + relay.Log);
            await Task.Delay(200);
        }

        Assert.Equal(Calls, CountMatches(relay.Log, "ended: no-traffic timeout"));
    }

    [Fact(Timeout = 60_000)]
    public async Task After_hold_and_resume_a_stranger_gets_nothing_and_a_phone_moved_with_its_signalling_continues()
    {
        using var relay = await StartAsync();
        using var ng = new NgClient(relay.Endpoints.Ng);
        using var a = new UdpPhone();
        using var b = new UdpPhone();
        using var stranger = new UdpPhone("127.0.0.2");
        var (callerFacing, calleeFacing) = await CallAsync(ng, "hold", a, b);
        a.SendTo(UdpPhone.Rtp(1, 0xA), callerFacing);
        b.SendTo(UdpPhone.Rtp(1, 0xB), calleeFacing);

        // Hold with the null address (finding 5's trigger: the learned address becomes obsolete), then resume.
        await OfferAsync(ng, "hold", "a", Sdp("0.0.0.0", a.EndPoint.Port, "sendonly"));
        await AnswerAsync(ng, "hold", "a", "b", Sdp("127.0.0.1", b.EndPoint.Port, "recvonly"));
        await OfferAsync(ng, "hold", "a", Sdp("127.0.0.1", a.EndPoint.Port));
        await AnswerAsync(ng, "hold", "a", "b", Sdp("127.0.0.1", b.EndPoint.Port));
        // Both phones talk on, past the 2 s latch window that follows signalling (inside it, a source matching the
        // SDP wins anyway); then one stranger packet arrives while the phone is still talking.
        for (ushort i = 2; i < 112; i++)
        {
            a.SendTo(UdpPhone.Rtp(i, 0xA), callerFacing);
            b.SendTo(UdpPhone.Rtp(i, 0xB), calleeFacing);
            await Task.Delay(20);
        }

        a.Drain(Quiet);
        b.Drain(Quiet);
        for (ushort i = 112; i < 262; i++)
        {
            a.SendTo(UdpPhone.Rtp(i, 0xA), callerFacing);
            if (i == 113)
            {
                stranger.SendTo(UdpPhone.Rtp(i, 0x5), callerFacing);
            }

            b.SendTo(UdpPhone.Rtp(i, 0xB), calleeFacing);
            await Task.Delay(2);
        }

        var (atStranger, atA, atB) = (stranger.Drain(Quiet).Count, a.Drain(Quiet).Count, b.Drain(TimeSpan.FromMilliseconds(50)).Count);
        Assert.True((atStranger, atA, atB) == (0, 150, 150), $"stranger got {atStranger}, A {atA}, B {atB} of 150");

        // The caller moves (new address in its re-INVITE's SDP): its first packet from there takes over, no gap.
        using var moved = new UdpPhone("127.0.0.3");
        await OfferAsync(ng, "hold", "a", Sdp("127.0.0.3", moved.EndPoint.Port));
        await AnswerAsync(ng, "hold", "a", "b", Sdp("127.0.0.1", b.EndPoint.Port));
        for (ushort i = 200; i < 210; i++)
        {
            moved.SendTo(UdpPhone.Rtp(i, 0xA), callerFacing);
            // The two directions run on different loops, and with kernel forwarding (auto, on lo) the way back is
            // re-routed by the kernel worker: let the move land before B's first packet.
            await Task.Delay(i == 200 ? 100 : 2);
            b.SendTo(UdpPhone.Rtp(i, 0xB), calleeFacing);
        }

        Assert.Equal(10, moved.Drain(Quiet).Count);
        Assert.Empty(a.Drain(TimeSpan.FromMilliseconds(50)));
        Assert.Equal(10, b.Drain(TimeSpan.FromMilliseconds(50)).Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_strangers_rtcp_while_ringing_does_not_keep_the_callees_rtcp_from_the_caller()
    {
        using var relay = await StartAsync();
        using var ng = new NgClient(relay.Endpoints.Ng);
        using var a = new UdpPhone();
        using var aRtcp = new UdpPhone();
        using var b = new UdpPhone();
        using var bRtcp = new UdpPhone();
        using var stranger = new UdpPhone("127.0.0.2");
        var calleeFacing = await OfferAsync(ng, "rtcp", "a", Sdp("127.0.0.1", a.EndPoint.Port, rtcpPort: aRtcp.EndPoint.Port));
        a.SendTo(UdpPhone.Rtp(1, 0xA), calleeFacing - 2);

        // While the callee's phone rings, a stranger's RTCP report reaches the callee-facing RTCP port (finding 6).
        stranger.SendTo(UdpPhone.Rtcp(0x5), calleeFacing + 1);
        var callerFacing = await AnswerAsync(ng, "rtcp", "a", "b", Sdp("127.0.0.1", b.EndPoint.Port, rtcpPort: bRtcp.EndPoint.Port));
        b.SendTo(UdpPhone.Rtp(1, 0xB), calleeFacing);
        // Before anything was learned, the stranger's report went where the caller's SDP said (any first source
        // latches); what matters is what happens once the callee's RTP has learned.
        aRtcp.Drain(Quiet);

        // RTCP comes every few seconds: the callee's first report arrives after the answer's 2 s latch window.
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        bRtcp.SendTo(UdpPhone.Rtcp(0xB), calleeFacing + 1);
        var atCaller = aRtcp.Drain(Quiet);
        aRtcp.SendTo(UdpPhone.Rtcp(0xA), callerFacing + 1);
        var atCallee = bRtcp.Drain(Quiet);

        Assert.Equal([UdpPhone.Rtcp(0xB)], atCaller.Select(r => r.Data));
        Assert.Equal([UdpPhone.Rtcp(0xA)], atCallee.Select(r => r.Data));
        Assert.DoesNotContain(stranger.Drain(Quiet), r => r.Data.Length == 8);
    }

    private async Task<MediaRelayDriver> StartAsync(params string[] extra)
    {
        var relay = new MediaRelayDriver(RelayEndpoints.Allocate(mediaPorts: 100), _workDirectory, extra);
        await relay.StartAsync(CancellationToken.None);
        return relay;
    }

    /// <summary>The sum of every integer under <paramref name="key"/> in a query reply's "totals".</summary>
    private static long TotalOf(BencodeDictionary query, string key)
    {
        var totals = query.GetDictionary("totals")!;
        return totals.GetDictionary("RTP")!.GetInteger(key) ?? 0;
    }

    /// <summary>User + system CPU seconds of a process, from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int processId)
    {
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static int CountMatches(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);
}
