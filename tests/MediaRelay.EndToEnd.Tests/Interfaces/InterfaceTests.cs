using System.Net;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Kernel;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.Protocols.Bencode;
using static MediaRelay.EndToEnd.Tests.Kernel.PhoneExchange;
using static MediaRelay.EndToEnd.Tests.Ng.NgCalls;

namespace MediaRelay.EndToEnd.Tests.Interfaces;

/// <summary>
/// Issue 14 acceptance: named interfaces (--interface NAME/BIND[!ADVERTISED]) in networks of the test's own making:
/// a cloud VM behind 1:1 NAT, two networks that reach each other only through the relay, an IPv4 phone talking to an
/// IPv6 phone. Each test checks the SDP each phone is told, what each phone receives, and the relay's ng query.
/// Kernel forwarding "on" runs the same call through the eBPF path where it applies.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class InterfaceTests
{
    private const int Packets = 200;

    [NamespaceTheory(Timeout = 60_000)]
    [InlineData("off")]
    [InlineData("on")]
    public async Task Behind_a_cloud_1to1_nat_phones_are_told_the_public_address_and_rtp_flows_both_ways_through_it(string kernelForwarding)
    {
        using var net = CloudNatTopology.Create();
        using var ng = await net.StartRelayAsync(
            "--interface", $"public/{CloudNatTopology.Private}!{CloudNatTopology.Public}", "--kernel-forwarding", kernelForwarding);
        using var a = net.Phone(CloudNatTopology.PhoneA, 30000);
        using var b = net.Phone(CloudNatTopology.PhoneB, 31000);
        var replace = new BencodeDictionary { { "replace", new BencodeList { "origin", "session-connection" } } };

        var offer = (await OfferWithAsync(ng, "nat", "a", Sdp(CloudNatTopology.PhoneA, 30000), replace)).GetString("sdp")!;
        var answer = (await AnswerWithAsync(ng, "nat", "a", "b", Sdp(CloudNatTopology.PhoneB, 31000), replace)).GetString("sdp")!;

        // Each phone is told the public address, in c= and o=; the VM's private address appears nowhere.
        Assert.Equal(("IN IP4 203.0.113.10", "IN IP4 203.0.113.10"), (Connection(offer), Origin(offer)));
        Assert.Equal(("IN IP4 203.0.113.10", "IN IP4 203.0.113.10"), (Connection(answer), Origin(answer)));
        Assert.DoesNotContain(CloudNatTopology.Private, offer + answer, StringComparison.Ordinal);
        var (callerFacing, calleeFacing) = (MediaPort(answer), MediaPort(offer));
        foreach (var tag in new[] { "a", "b" })
        {
            var media = await MediaAsync(ng, "nat", tag);
            Assert.Equal(("public", "192.0.2.1", "203.0.113.10"),
                (media.GetString("interface"), media.GetString("local address"), media.GetString("advertised address")));
        }

        await LearnAsync(a, b, callerFacing, calleeFacing);
        var (toB, toA) = await ExchangeAsync(a, b, callerFacing, calleeFacing, Packets);

        // Byte-identical, in order, every one from the public address and the port the SDP named.
        var stats = $"caller {await SettledStatsAsync(ng, "nat", "a", Packets + 1)}, callee {await SettledStatsAsync(ng, "nat", "b", Packets + 1)}\n{net.Log}";
        AssertRelayed(toB, 0xA, new IPEndPoint(IPAddress.Parse(CloudNatTopology.Public), calleeFacing), stats);
        AssertRelayed(toA, 0xB, new IPEndPoint(IPAddress.Parse(CloudNatTopology.Public), callerFacing), stats);
        var kernel = kernelForwarding == "on" ? Packets : 0;
        Assert.Equal((Packets + 1L, (long)kernel), await SettledStatsAsync(ng, "nat", "a", Packets + 1));
        Assert.Equal((Packets + 1L, (long)kernel), await SettledStatsAsync(ng, "nat", "b", Packets + 1));

        // The private address is not reachable from the internet: only the public one leads to the relay.
        a.TrySendTo(UdpPhone.Rtp(999, 0xA), new IPEndPoint(IPAddress.Parse(CloudNatTopology.Private), callerFacing));
        Assert.Empty(b.Drain(Quiet));
    }

    [NamespaceTheory(Timeout = 60_000)]
    [InlineData("off")]
    [InlineData("on")]
    public async Task Two_networks_that_cannot_reach_each_other_talk_through_the_internal_and_external_interfaces(string kernelForwarding)
    {
        using var net = KernelTopology.Create();
        net.Isolate();
        using var ng = await net.StartRelayOnAsync(
            ["--interface", "internal/198.51.100.1", "--interface", "external/192.0.2.1", "--kernel-forwarding", kernelForwarding]);
        using var a = net.PhoneA(relay: "198.51.100.1");
        using var b = net.PhoneB(relay: "192.0.2.1");

        // Nothing goes from one network to the other on its own.
        a.TrySendTo(UdpPhone.Rtp(0, 0xA), b.EndPoint);
        b.TrySendTo(UdpPhone.Rtp(0, 0xB), a.EndPoint);
        Assert.Empty(b.Drain(Quiet));
        Assert.Empty(a.Drain(TimeSpan.FromMilliseconds(50)));

        var direction = new BencodeDictionary { { "direction", new BencodeList { "internal", "external" } } };
        var offer = (await OfferWithAsync(ng, "bridge", "a", Sdp("198.51.100.10", 30000), direction)).GetString("sdp")!;
        var answer = (await AnswerWithAsync(ng, "bridge", "a", "b", Sdp("192.0.2.10", 31000), new BencodeDictionary())).GetString("sdp")!;

        // Each phone is told the relay's address on its own network.
        Assert.Equal("IN IP4 192.0.2.1", Connection(offer));
        Assert.Equal("IN IP4 198.51.100.1", Connection(answer));
        var (callerFacing, calleeFacing) = (MediaPort(answer), MediaPort(offer));
        var caller = await MediaAsync(ng, "bridge", "a");
        var callee = await MediaAsync(ng, "bridge", "b");
        Assert.Equal(("internal", "198.51.100.1"), (caller.GetString("interface"), caller.GetString("local address")));
        Assert.Equal(("external", "192.0.2.1"), (callee.GetString("interface"), callee.GetString("local address")));

        await LearnAsync(a, b, callerFacing, calleeFacing);
        var (toB, toA) = await ExchangeAsync(a, b, callerFacing, calleeFacing, Packets);

        var stats = $"caller {await SettledStatsAsync(ng, "bridge", "a", Packets + 1)}, callee {await SettledStatsAsync(ng, "bridge", "b", Packets + 1)}\n{net.Log}";
        AssertRelayed(toB, 0xA, new IPEndPoint(IPAddress.Parse("192.0.2.1"), calleeFacing), stats);
        AssertRelayed(toA, 0xB, new IPEndPoint(IPAddress.Parse("198.51.100.1"), callerFacing), stats);
        // With kernel forwarding on, every packet after the first of each phone went from one device to the other in the kernel.
        var kernel = kernelForwarding == "on" ? Packets : 0;
        Assert.Equal((Packets + 1L, (long)kernel), await SettledStatsAsync(ng, "bridge", "a", Packets + 1));
        Assert.Equal((Packets + 1L, (long)kernel), await SettledStatsAsync(ng, "bridge", "b", Packets + 1));
    }

    [NamespaceTheory(Timeout = 60_000)]
    [InlineData("off")]
    [InlineData("on")]
    public async Task An_ipv4_only_phone_and_an_ipv6_only_phone_talk_through_the_relay(string kernelForwarding)
    {
        using var net = KernelTopology.Create();
        net.Isolate();
        net.A.Ip("-6", "addr", "flush", "dev", "a0", "scope", "global").Check(); // A has IPv4 only
        net.B.Ip("-4", "addr", "flush", "dev", "b0").Check(); // B has IPv6 only
        using var ng = await net.StartRelayOnAsync(
            ["--interface", "public/198.51.100.1", "--interface", "public/2001:db8:2::1", "--kernel-forwarding", kernelForwarding]);
        using var a = net.PhoneA(relay: "198.51.100.1");
        using var b = net.PhoneB("2001:db8:2::10", relay: "2001:db8:2::1");

        var family = new BencodeDictionary { { "address family", "IP6" } };
        var offer = (await OfferWithAsync(ng, "v4v6", "a", Sdp("198.51.100.10", 30000), family)).GetString("sdp")!;
        var answer = (await AnswerWithAsync(ng, "v4v6", "a", "b", Sdp("2001:db8:2::10", 31000), new BencodeDictionary())).GetString("sdp")!;

        // The IPv6 phone is offered an IPv6 address, the IPv4 phone gets an IPv4 answer.
        Assert.Equal("IN IP6 2001:db8:2::1", Connection(offer));
        Assert.Equal("IN IP4 198.51.100.1", Connection(answer));
        var (callerFacing, calleeFacing) = (MediaPort(answer), MediaPort(offer));
        Assert.Equal("198.51.100.1", (await MediaAsync(ng, "v4v6", "a")).GetString("local address"));
        Assert.Equal("2001:db8:2::1", (await MediaAsync(ng, "v4v6", "b")).GetString("local address"));

        await LearnAsync(a, b, callerFacing, calleeFacing);
        var (toB, toA) = await ExchangeAsync(a, b, callerFacing, calleeFacing, Packets);

        var stats = $"caller {await SettledStatsAsync(ng, "v4v6", "a", Packets + 1)}, callee {await SettledStatsAsync(ng, "v4v6", "b", Packets + 1)}\n{net.Log}";
        AssertRelayed(toB, 0xA, new IPEndPoint(IPAddress.Parse("2001:db8:2::1"), calleeFacing), stats);
        AssertRelayed(toA, 0xB, new IPEndPoint(IPAddress.Parse("198.51.100.1"), callerFacing), stats);
        // IPv4 <-> IPv6 stays in user space even with kernel forwarding on: the kernel counted nothing.
        Assert.Equal((Packets + 1L, 0L), await SettledStatsAsync(ng, "v4v6", "a", Packets + 1));
        Assert.Equal((Packets + 1L, 0L), await SettledStatsAsync(ng, "v4v6", "b", Packets + 1));
    }

    /// <summary>Packets 1..<see cref="Packets"/> of SSRC <paramref name="ssrc"/>, byte-identical and in order, each from <paramref name="from"/>.</summary>
    private static void AssertRelayed(List<(byte[] Data, IPEndPoint From)> received, uint ssrc, IPEndPoint from, string context)
    {
        Assert.True(received.Count == Packets, $"{received.Count} of {Packets} packets arrived; {context}");
        Assert.All(received, r => Assert.Equal(from, r.From));
        Assert.Equal(Enumerable.Range(1, Packets).Select(i => UdpPhone.Rtp((ushort)i, ssrc)), received.Select(r => r.Data));
    }
}
