using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;
using static MediaRelay.Core.Tests.Packets;

namespace MediaRelay.Core.Tests;

/// <summary>Named interfaces: advertised addresses, a call bridged between two interfaces, and IPv4 to IPv6.</summary>
public sealed class InterfaceTests
{
    private static readonly RelayInterface Internal = new("internal", IPAddress.Parse("10.0.0.1"));
    private static readonly RelayInterface External = new("external", IPAddress.Parse("198.51.100.1"), IPAddress.Parse("203.0.113.10"));
    private static readonly RelayInterface ExternalV6 = new("external", IPAddress.Parse("2001:db8::1"));

    private static RelayHarness Relay() => new(new RelayOptions { Interfaces = [Internal, External, ExternalV6], PortMin = 40000, PortMax = 40099 });

    [Fact]
    public void The_sdp_carries_the_advertised_address_and_the_ports_are_bound_on_the_private_one()
    {
        using var relay = new RelayHarness(new RelayOptions { Interfaces = [External], PortMin = 40000, PortMax = 40099 });
        relay.Manager.Offer("c", "a", null, [RelayHarness.Audio(Ep("192.0.2.7", 5000))], null, out var offered);

        Assert.Equal(IPAddress.Parse("203.0.113.10"), offered[0].Address);
        Assert.All(relay.Transport.Bound.Keys, bound => Assert.Equal(IPAddress.Parse("198.51.100.1"), bound.Address));
        var party = relay.Manager.Query("c")!.Streams[0].Callee;
        Assert.Equal("external", party.Interface);
        Assert.Equal(IPAddress.Parse("203.0.113.10"), party.Advertised);
    }

    [Fact]
    public void Direction_bridges_a_call_between_two_interfaces_both_ways()
    {
        using var relay = Relay();
        var placement = new MediaPlacement("internal", "external");
        relay.Manager.Offer("c", "a", null, [RelayHarness.Audio(Ep("10.0.0.50", 5000))], null, out var toCallee, placement);
        relay.Manager.Answer("c", "a", "b", [RelayHarness.Audio(Ep("192.0.2.7", 6000))], null, out var toCaller);

        // The callee (outside) is given the external advertised address, the caller (inside) the internal one.
        Assert.Equal(IPAddress.Parse("203.0.113.10"), toCallee[0].Address);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), toCaller[0].Address);

        AssertRelaysBothWays(relay, new IPEndPoint(Internal.Bind, toCaller[0].RtpPort), Ep("10.0.0.50", 5000),
            new IPEndPoint(External.Bind, toCallee[0].RtpPort), Ep("192.0.2.7", 6000));
        var stream = relay.Manager.Query("c")!.Streams[0];
        Assert.Equal(("internal", "external"), (stream.Caller.Interface, stream.Callee.Interface));
    }

    [Fact]
    public void A_reinvite_without_direction_keeps_the_calls_interfaces_and_ports()
    {
        using var relay = Relay();
        relay.Manager.Offer("c", "a", null, [RelayHarness.Audio(Ep("10.0.0.50", 5000))], null, out var first, new MediaPlacement("internal", "external"));
        relay.Manager.Answer("c", "a", "b", [RelayHarness.Audio(Ep("192.0.2.7", 6000))], null, out _);

        relay.Manager.Offer("c", "a", "b", [RelayHarness.Audio(Ep("10.0.0.50", 5002))], null, out var again);

        Assert.Equal(first[0], again[0]);
        Assert.Equal(4, relay.Manager.Totals.PortsInUse);
    }

    [Fact]
    public void An_ipv4_phone_and_an_ipv6_phone_are_bridged_by_the_answerers_address_family()
    {
        using var relay = Relay();
        relay.Manager.Offer("c", "a", null, [RelayHarness.Audio(Ep("10.0.0.50", 5000))], null, out var toCallee,
            new MediaPlacement("internal", null, AddressFamily.InterNetworkV6));
        relay.Manager.Answer("c", "a", "b", [RelayHarness.Audio(Ep("2001:db8::77", 6000))], null, out var toCaller);

        Assert.Equal(IPAddress.Parse("2001:db8::1"), toCallee[0].Address);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), toCaller[0].Address);
        AssertRelaysBothWays(relay, new IPEndPoint(Internal.Bind, toCaller[0].RtpPort), Ep("10.0.0.50", 5000),
            new IPEndPoint(ExternalV6.Bind, toCallee[0].RtpPort), Ep("2001:db8::77", 6000));
    }

    [Fact]
    public void An_unknown_interface_is_refused_and_takes_no_port()
    {
        using var relay = Relay();
        var error = relay.Manager.Offer("c", "a", null, [RelayHarness.Audio(Ep("10.0.0.50", 5000))], null, out _, new MediaPlacement("internal", "dmz"));

        Assert.Equal(SessionError.UnknownInterface, error);
        Assert.Equal(0, relay.Transport.OpenSockets);
        Assert.Null(relay.Manager.Query("c"));
        Assert.Equal(["internal", "external"], relay.Manager.InterfaceNames);
        Assert.Equal("external", relay.Manager.InterfaceOf(IPAddress.Parse("203.0.113.10")));
    }

    /// <summary>One packet each way: each leaves from the relay socket facing its receiver, to that receiver.</summary>
    private static void AssertRelaysBothWays(RelayHarness relay, IPEndPoint facingCaller, IPEndPoint caller, IPEndPoint facingCallee, IPEndPoint callee)
    {
        relay.Transport.Deliver(facingCaller, Rtp(1), caller);
        relay.Transport.Deliver(facingCallee, Rtp(1), callee);
        Assert.Equal([(facingCallee, callee), (facingCaller, caller)], relay.Transport.Routes);
    }
}
