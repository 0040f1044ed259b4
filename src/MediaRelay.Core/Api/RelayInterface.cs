using System.Net;
using System.Net.Sockets;

namespace MediaRelay.Core.Api;

/// <summary>
/// One address of a named relay interface (rtpengine's <c>--interface NAME/BIND!ADVERTISED</c>): media ports are
/// bound on <paramref name="Bind"/> and <paramref name="Advertised"/> is written into SDP, e.g. the public address of
/// a cloud VM's 1:1 NAT. A name may hold one IPv4 and one IPv6 address. Every interface takes the whole port range.
/// </summary>
public sealed record RelayInterface(string Name, IPAddress Bind, IPAddress? Advertised = null)
{
    /// <summary>The interface name of --relay-address and --relay-address-v6.</summary>
    public const string DefaultName = "default";

    /// <summary>What the SDP carries.</summary>
    public IPAddress Advertise => Advertised ?? Bind;

    public AddressFamily Family => Bind.AddressFamily;

    public override string ToString() => Advertised is null ? $"{Name}/{Bind}" : $"{Name}/{Bind}!{Advertised}";
}

/// <summary>
/// Where an offer's new streams get their ports: the interface facing the offerer, the one facing the answerer,
/// and the answerer side's address family (IPv4↔IPv6 bridging). Null members keep what the stream has, else the
/// defaults: the first interface, the offerer's interface, the offerer's family.
/// </summary>
public sealed record MediaPlacement(string? OffererInterface = null, string? AnswererInterface = null, AddressFamily? AnswererFamily = null)
{
    public static MediaPlacement Default { get; } = new();
}
