using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Core.Net;

namespace MediaRelay.Core.Tests;

public sealed class MediaDestinationPolicyTests
{
    private static readonly MediaDestinationPolicy Public = new(new RelayOptions
    {
        RelayAddress = IPAddress.Parse("203.0.113.1"),
        RelayAddressV6 = IPAddress.Parse("2001:db8::1"),
        PortMin = 40000,
        PortMax = 40999,
        ControlEndPoints = [new IPEndPoint(IPAddress.Loopback, 2223), new IPEndPoint(IPAddress.Any, 9900)],
        LocalAddresses = [IPAddress.Parse("192.168.5.10")],
        LocalBroadcasts = [IPAddress.Parse("192.168.5.255")],
        DenyMediaTo = [IPNetwork.Parse("10.99.0.0/16"), IPNetwork.Parse("2001:db8:bad::/48"), IPNetwork.Parse("172.16.0.0/12")],
    });

    [Theory]
    [InlineData("198.51.100.7", 5000, DestinationVerdict.Allowed)]
    [InlineData("203.0.113.1", 40000, DestinationVerdict.OwnSocket)]
    [InlineData("203.0.113.1", 40999, DestinationVerdict.OwnSocket)]
    [InlineData("203.0.113.1", 41000, DestinationVerdict.Allowed)] // another host behind the same NAT may use it
    [InlineData("203.0.113.1", 2223, DestinationVerdict.Allowed)] // ng listens on 127.0.0.1 only
    [InlineData("203.0.113.1", 9900, DestinationVerdict.OwnSocket)]
    [InlineData("192.168.5.10", 9900, DestinationVerdict.OwnSocket)] // a listener on 0.0.0.0 answers on every address
    [InlineData("127.0.0.7", 9900, DestinationVerdict.OwnSocket)] // ... loopback included
    [InlineData("192.168.5.10", 40000, DestinationVerdict.Allowed)] // media binds on the relay address only
    [InlineData("127.0.0.1", 2223, DestinationVerdict.OwnSocket)]
    [InlineData("127.0.0.1", 6379, DestinationVerdict.Loopback)]
    [InlineData("127.3.2.1", 5000, DestinationVerdict.Loopback)]
    [InlineData("0.0.0.0", 5000, DestinationVerdict.Unspecified)]
    [InlineData("0.1.2.3", 5000, DestinationVerdict.Unspecified)]
    [InlineData("198.51.100.7", 0, DestinationVerdict.Unspecified)]
    [InlineData("239.1.1.1", 5000, DestinationVerdict.Multicast)]
    [InlineData("255.255.255.255", 5000, DestinationVerdict.Broadcast)]
    [InlineData("192.168.5.255", 5000, DestinationVerdict.Broadcast)]
    [InlineData("10.99.255.1", 5000, DestinationVerdict.Denied)]
    [InlineData("10.98.255.1", 5000, DestinationVerdict.Allowed)]
    [InlineData("172.31.0.1", 5000, DestinationVerdict.Denied)]
    [InlineData("172.32.0.1", 5000, DestinationVerdict.Allowed)]
    [InlineData("::1", 5000, DestinationVerdict.Loopback)]
    [InlineData("::", 5000, DestinationVerdict.Unspecified)]
    [InlineData("ff02::1", 5000, DestinationVerdict.Multicast)]
    [InlineData("2001:db8::1", 40002, DestinationVerdict.OwnSocket)]
    [InlineData("2001:db8::2", 40002, DestinationVerdict.Allowed)]
    [InlineData("2001:db8:bad:1::5", 5000, DestinationVerdict.Denied)]
    [InlineData("::ffff:127.0.0.1", 2223, DestinationVerdict.OwnSocket)] // IPv4-mapped: judged as IPv4
    [InlineData("::ffff:203.0.113.1", 40000, DestinationVerdict.OwnSocket)]
    [InlineData("::ffff:10.99.1.1", 5000, DestinationVerdict.Denied)]
    public void Verdicts_of_a_public_relay(string address, int port, DestinationVerdict expected) =>
        Assert.Equal(expected, Public.Check(new IPEndPoint(IPAddress.Parse(address), port).Serialize()));

    [Fact]
    public void A_relay_on_loopback_sends_to_loopback_phones_but_never_to_its_own_ports()
    {
        var policy = new MediaDestinationPolicy(new RelayOptions
        {
            PortMin = 40000,
            PortMax = 40999,
            ControlEndPoints = [new IPEndPoint(IPAddress.Loopback, 2223)],
        });
        Assert.True(policy.Allows(new IPEndPoint(IPAddress.Loopback, 31000).Serialize()));
        Assert.Equal(DestinationVerdict.OwnSocket, policy.Check(new IPEndPoint(IPAddress.Loopback, 2223).Serialize()));
        Assert.Equal(DestinationVerdict.OwnSocket, policy.Check(new IPEndPoint(IPAddress.Loopback, 40500).Serialize()));

        // A relay on 127.0.0.2 (the memory benchmark's) does not own 127.0.0.1's ports of the same range.
        var second = new MediaDestinationPolicy(new RelayOptions { RelayAddress = IPAddress.Parse("127.0.0.2"), PortMin = 40000, PortMax = 40999 });
        Assert.True(second.Allows(new IPEndPoint(IPAddress.Loopback, 40500).Serialize()));
        Assert.Equal(DestinationVerdict.OwnSocket, second.Check(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 40500).Serialize()));
    }
}
