using System.Net;
using System.Net.Sockets;

namespace MediaRelay.Transport.Native;

/// <summary>
/// One non-blocking sendto on a socket that another thread may be closing: the call holds a reference on the handle,
/// so a concurrent close can never redirect the packet to a descriptor number reused by another socket.
/// </summary>
internal static unsafe class DirectSend
{
    /// <summary>True when the kernel took the whole datagram; false when it refused it or the socket is closed.</summary>
    public static bool TrySendTo(SafeSocketHandle handle, int fd, ReadOnlySpan<byte> packet, SocketAddress destination)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            nint sent;
            fixed (byte* data = packet)
            fixed (byte* address = destination.Buffer.Span)
            {
                sent = LinuxNative.SendTo(fd, data, (nuint)packet.Length, LinuxNative.MsgDontWait, address, (uint)destination.Size);
            }

            return sent == packet.Length;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
