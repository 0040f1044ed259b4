using System.Net;
using System.Net.Sockets;

namespace MediaRelay.Core.Net;

/// <summary>
/// Comparisons over <see cref="SocketAddress"/> bytes, so the packet path never builds an <see cref="IPEndPoint"/>.
/// Layout (sockaddr_in / sockaddr_in6): family at 0, port at 2, IPv4 address at 4, IPv6 address at 8.
/// </summary>
internal static class SocketAddresses
{
    public static SocketAddress Copy(SocketAddress source)
    {
        var copy = new SocketAddress(source.Family, source.Size);
        source.Buffer.Span[..source.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    /// <summary>True when both addresses have the same family and IP, whatever their ports.</summary>
    public static bool SameIp(SocketAddress a, SocketAddress b)
    {
        if (a.Family != b.Family)
        {
            return false;
        }

        var (offset, length) = a.Family == AddressFamily.InterNetworkV6 ? (8, 16) : (4, 4);
        if (a.Size < offset + length || b.Size < offset + length)
        {
            return false;
        }

        return a.Buffer.Span.Slice(offset, length).SequenceEqual(b.Buffer.Span.Slice(offset, length));
    }

    public static IPEndPoint ToEndPoint(SocketAddress address)
    {
        var template = address.Family == AddressFamily.InterNetworkV6
            ? new IPEndPoint(IPAddress.IPv6Any, 0)
            : new IPEndPoint(IPAddress.Any, 0);
        return (IPEndPoint)template.Create(address);
    }
}
