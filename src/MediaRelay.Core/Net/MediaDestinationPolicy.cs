using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;

namespace MediaRelay.Core.Net;

/// <summary>Why a media destination (or a source that would be learned as one) is refused, or that it is not.</summary>
public enum DestinationVerdict
{
    Allowed,
    /// <summary>A socket of the relay itself: a media port on a relay address, or a control/management listener.</summary>
    OwnSocket,
    /// <summary>127.0.0.0/8 or ::1 while the relay's own media address is not loopback.</summary>
    Loopback,
    /// <summary>0.0.0.0/8, ::, or port 0: nowhere (hold) or "this host".</summary>
    Unspecified,
    Multicast,
    /// <summary>255.255.255.255 or a directed broadcast of one of this host's IPv4 subnets.</summary>
    Broadcast,
    /// <summary>Inside a range of <see cref="RelayOptions.DenyMediaTo"/>.</summary>
    Denied,
}

/// <summary>
/// Where media may go (issue 15, findings 1 and 2). Media is never sent to a socket of the relay itself (its
/// control listeners, which would run an injected command, or its media ports, which would loop a packet for ever),
/// nor to loopback, unspecified, multicast or broadcast addresses, nor into ranges the operator denies. The same
/// test bounds what latching may learn: a source the relay could not send back to is never learned.
/// Checked when an address is signalled or learned, never per relayed packet; works on <see cref="SocketAddress"/>
/// bytes without allocating, so a flood of refused sources costs no garbage.
/// Threading: immutable after construction; safe from any thread.
/// </summary>
public sealed class MediaDestinationPolicy
{
    private readonly byte[][] _relayV4;
    private readonly byte[][] _relayV6;
    private readonly byte[][] _localV4;
    private readonly byte[][] _localV6;
    private readonly (byte[]? Ip, int Port)[] _control;
    private readonly byte[][] _broadcastV4;
    private readonly (byte[] Prefix, int Bits)[] _denyV4;
    private readonly (byte[] Prefix, int Bits)[] _denyV6;
    private readonly int _portMin;
    private readonly int _portMax;
    private readonly bool _allowLoopback;

    public MediaDestinationPolicy(RelayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var relay = new List<IPAddress>();
        foreach (var relayInterface in options.EffectiveInterfaces)
        {
            // Both: a packet to the advertised address of a 1:1 NAT comes back to the relay's own ports as well.
            relay.Add(relayInterface.Bind);
            relay.Add(relayInterface.Advertise);
        }

        _relayV4 = Bytes(relay, AddressFamily.InterNetwork);
        _relayV6 = Bytes(relay, AddressFamily.InterNetworkV6);
        var local = new List<IPAddress>(relay);
        local.AddRange(options.LocalAddresses);
        _localV4 = Bytes(local, AddressFamily.InterNetwork);
        _localV6 = Bytes(local, AddressFamily.InterNetworkV6);
        var control = new List<(byte[]?, int)>();
        foreach (var endPoint in options.ControlEndPoints)
        {
            var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
            var wildcard = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
            control.Add((wildcard ? null : address.GetAddressBytes(), endPoint.Port));
        }

        _control = [.. control];
        _broadcastV4 = Bytes(options.LocalBroadcasts, AddressFamily.InterNetwork);
        _denyV4 = Networks(options.DenyMediaTo, AddressFamily.InterNetwork);
        _denyV6 = Networks(options.DenyMediaTo, AddressFamily.InterNetworkV6);
        _portMin = options.PortMin;
        _portMax = options.PortMax;
        _allowLoopback = relay.Exists(IPAddress.IsLoopback);
    }

    public bool Allows(SocketAddress address) => Check(address) == DestinationVerdict.Allowed;

    public DestinationVerdict Check(SocketAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.Buffer.Span;
        ReadOnlySpan<byte> ip;
        bool v4;
        if (address.Family == AddressFamily.InterNetwork && address.Size >= 8)
        {
            ip = bytes.Slice(4, 4);
            v4 = true;
        }
        else if (address.Family == AddressFamily.InterNetworkV6 && address.Size >= 24)
        {
            ip = bytes.Slice(8, 16);
            // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) reaches the IPv4 host: judge it as IPv4.
            v4 = ip[..10].IndexOfAnyExcept((byte)0) < 0 && ip[10] == 0xFF && ip[11] == 0xFF;
            if (v4)
            {
                ip = ip[12..];
            }
        }
        else
        {
            return DestinationVerdict.Unspecified;
        }

        var port = BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(2, 2));
        bool loopback;
        if (v4)
        {
            if (port == 0 || ip[0] == 0)
            {
                return DestinationVerdict.Unspecified;
            }

            if (ip[0] is >= 224 and <= 239)
            {
                return DestinationVerdict.Multicast;
            }

            if (ip.IndexOfAnyExcept((byte)0xFF) < 0)
            {
                return DestinationVerdict.Broadcast;
            }

            loopback = ip[0] == 127;
        }
        else
        {
            if (port == 0 || ip.IndexOfAnyExcept((byte)0) < 0)
            {
                return DestinationVerdict.Unspecified;
            }

            if (ip[0] == 0xFF)
            {
                return DestinationVerdict.Multicast;
            }

            loopback = ip[..15].IndexOfAnyExcept((byte)0) < 0 && ip[15] == 1;
        }

        if (IsOwnSocket(ip, v4, loopback, port))
        {
            return DestinationVerdict.OwnSocket;
        }

        if (loopback && !_allowLoopback)
        {
            return DestinationVerdict.Loopback;
        }

        if (v4 && Contains(_broadcastV4, ip))
        {
            return DestinationVerdict.Broadcast;
        }

        return InAny(v4 ? _denyV4 : _denyV6, ip) ? DestinationVerdict.Denied : DestinationVerdict.Allowed;
    }

    /// <summary>
    /// A media port on a relay address, or a control listener: on its own address, or on any address of this host
    /// (loopback included) when it listens on the wildcard.
    /// </summary>
    private bool IsOwnSocket(ReadOnlySpan<byte> ip, bool v4, bool loopback, int port)
    {
        if (port >= _portMin && port <= _portMax && Contains(v4 ? _relayV4 : _relayV6, ip))
        {
            return true;
        }

        foreach (var (listener, listenerPort) in _control)
        {
            if (listenerPort != port)
            {
                continue;
            }

            if (listener is null ? loopback || Contains(v4 ? _localV4 : _localV6, ip) : ip.SequenceEqual(listener))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Contains(byte[][] addresses, ReadOnlySpan<byte> ip)
    {
        foreach (var address in addresses)
        {
            if (ip.SequenceEqual(address))
            {
                return true;
            }
        }

        return false;
    }

    private static bool InAny((byte[] Prefix, int Bits)[] networks, ReadOnlySpan<byte> ip)
    {
        foreach (var (prefix, bits) in networks)
        {
            var whole = bits / 8;
            if (!ip[..whole].SequenceEqual(prefix.AsSpan(0, whole)))
            {
                continue;
            }

            var rest = bits % 8;
            if (rest == 0 || ((ip[whole] ^ prefix[whole]) & (0xFF << (8 - rest)) & 0xFF) == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static byte[][] Bytes(IEnumerable<IPAddress> addresses, AddressFamily family)
    {
        var result = new List<byte[]>();
        foreach (var address in addresses)
        {
            var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            if (plain.AddressFamily == family)
            {
                result.Add(plain.GetAddressBytes());
            }
        }

        return [.. result];
    }

    private static (byte[] Prefix, int Bits)[] Networks(IEnumerable<IPNetwork> networks, AddressFamily family)
    {
        var result = new List<(byte[], int)>();
        foreach (var network in networks)
        {
            if (network.BaseAddress.AddressFamily == family)
            {
                result.Add((network.BaseAddress.GetAddressBytes(), network.PrefixLength));
            }
        }

        return [.. result];
    }
}
