using System.Net;
using System.Net.Sockets;

namespace MediaRelay.Transport.Native;

/// <summary>
/// A packet loop's two reusable source addresses (IPv4 and IPv6): the kernel's sockaddr of each received datagram is
/// copied into the one of its family (SocketAddress holds the same native layout), so no datagram allocates one.
/// Owned by one loop thread.
/// </summary>
internal sealed unsafe class SourceAddresses
{
    private readonly SocketAddress _v4 = new(AddressFamily.InterNetwork);
    private readonly SocketAddress _v6 = new(AddressFamily.InterNetworkV6);

    /// <summary>The address of family AF_INET or AF_INET6 at <paramref name="name"/>, or null for anything else.</summary>
    public SocketAddress? Copy(byte* name, int length)
    {
        if (length < sizeof(ushort))
        {
            return null;
        }

        var target = *(ushort*)name switch
        {
            2 => _v4,
            10 => _v6,
            _ => null,
        };
        if (target is null || length > target.Buffer.Length)
        {
            return null;
        }

        new ReadOnlySpan<byte>(name, length).CopyTo(target.Buffer.Span);
        target.Size = length;
        return target;
    }
}
