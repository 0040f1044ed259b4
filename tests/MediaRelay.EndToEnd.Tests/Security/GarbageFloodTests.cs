using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.EndToEnd.Tests.Relays;
using MediaRelay.Protocols.Bencode;
using static MediaRelay.EndToEnd.Tests.Ng.NgCalls;

namespace MediaRelay.EndToEnd.Tests.Security;

/// <summary>
/// Issue 13, finding 4: 20,000 random datagrams sent to a call's four relay ports from the phones' own IP address
/// (as from behind the same NAT), while the call's media flows. Before, about 3,000 were taken as RTCP: both RTCP
/// sides latched to the flooder and relayed its garbage back to it, and some reached a phone's RTCP port.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class GarbageFloodTests : IDisposable
{
    private const int Garbage = 20_000;
    private const int Media = 100;
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(700);
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("mediarelay-garbage-").FullName;

    [Fact(Timeout = 60_000)]
    public async Task Random_datagrams_from_the_phones_address_reach_no_phone_latch_nothing_and_leave_the_media_whole()
    {
        using var relay = new MediaRelayDriver(RelayEndpoints.Allocate(mediaPorts: 100), _workDirectory, "--kernel-forwarding", "off");
        await relay.StartAsync(CancellationToken.None);
        using var ng = new NgClient(relay.Endpoints.Ng);
        using var callerRtp = new UdpPhone();
        using var callerRtcp = new UdpPhone();
        using var calleeRtp = new UdpPhone();
        using var calleeRtcp = new UdpPhone();
        using var flooder = new UdpPhone(); // 127.0.0.1, like the phones
        var calleeFacing = await OfferAsync(ng, "flood", "a", Sdp("127.0.0.1", callerRtp.EndPoint.Port, rtcpPort: callerRtcp.EndPoint.Port));
        var callerFacing = await AnswerAsync(ng, "flood", "a", "b", Sdp("127.0.0.1", calleeRtp.EndPoint.Port, rtcpPort: calleeRtcp.EndPoint.Port));

        // The call's media starts (each side latches its RTP), then the flood runs with the media going on.
        var random = new Random(20261129);
        int[] targets = [callerFacing, callerFacing + 1, calleeFacing, calleeFacing + 1];
        var sentByCaller = new HashSet<string>();
        var sentByCallee = new HashSet<string>();
        for (var i = 0; i < Garbage; i++)
        {
            if (i % (Garbage / Media) == 0)
            {
                var sequence = (ushort)(i / (Garbage / Media));
                var fromCaller = UdpPhone.Rtp(sequence, 0xCA11E7);
                var fromCallee = UdpPhone.Rtp(sequence, 0xCA11EE);
                callerRtp.SendTo(fromCaller, callerFacing);
                calleeRtp.SendTo(fromCallee, calleeFacing);
                sentByCaller.Add(Convert.ToHexString(fromCaller));
                sentByCallee.Add(Convert.ToHexString(fromCallee));
                await Task.Delay(2);
            }

            var datagram = new byte[random.Next(1, 400)];
            random.NextBytes(datagram);
            flooder.SendTo(datagram, targets[i % targets.Length]);
        }

        var atCaller = callerRtp.Drain(Quiet);
        var atCallee = calleeRtp.Drain(Quiet);
        Assert.Empty(callerRtcp.Drain(Quiet));
        Assert.Empty(calleeRtcp.Drain(Quiet));
        Assert.Empty(flooder.Drain(Quiet));
        // Every packet each phone got is one the other phone sent, and it got all of them.
        Assert.Equal(sentByCallee, atCaller.Select(r => Convert.ToHexString(r.Data)).ToHashSet());
        Assert.Equal(Media, atCaller.Count);
        Assert.Equal(sentByCaller, atCallee.Select(r => Convert.ToHexString(r.Data)).ToHashSet());
        Assert.Equal(Media, atCallee.Count);

        // The garbage is counted as dropped, and the RTCP sides learned nobody.
        var query = await ng.QueryAsync("flood", CancellationToken.None);
        var totals = query!.GetDictionary("totals")!;
        var dropped = totals.GetDictionary("RTP")!.GetInteger("errors") + totals.GetDictionary("RTCP")!.GetInteger("errors");
        Assert.True(dropped >= Garbage * 9 / 10, $"only {dropped} of {Garbage} garbage datagrams were counted as dropped");
        Assert.Equal(2 * Media, totals.GetDictionary("RTP")!.GetInteger("packets"));
        Assert.Equal(0, totals.GetDictionary("RTCP")!.GetInteger("packets"));
    }

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);
}
