using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;

namespace MediaRelay.Transport.Epoll;

/// <summary>
/// One media socket served by an <see cref="EpollLoop"/>. Send is a direct, non-blocking sendto on the descriptor,
/// from whichever loop thread relays the packet; it holds a reference on the socket handle for the duration of the
/// call, so a concurrent close can never redirect the packet to a descriptor number reused by another socket.
/// </summary>
internal sealed unsafe class EpollSocket : IRelaySocket
{
    private readonly Socket _socket;
    private readonly SafeSocketHandle _handle;
    private readonly IPacketReceiver _receiver;
    private readonly EpollLoop _loop;
    private volatile bool _closed;
    private long _sendErrors;

    public EpollSocket(Socket socket, IPacketReceiver receiver, EpollLoop loop)
    {
        _socket = socket;
        _handle = socket.SafeHandle;
        _receiver = receiver;
        _loop = loop;
        Fd = (int)_handle.DangerousGetHandle();
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public int Fd { get; }

    public int Slot { get; set; }

    public bool IsClosed => _closed;

    public IPEndPoint LocalEndPoint { get; }

    public long SendErrors => Volatile.Read(ref _sendErrors);

    public void Deliver(ReadOnlySpan<byte> packet, SocketAddress source) => _receiver.OnPacket(packet, source);

    public bool Send(ReadOnlySpan<byte> packet, SocketAddress destination)
    {
        if (_closed)
        {
            return false;
        }

        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            nint sent;
            fixed (byte* data = packet)
            fixed (byte* address = destination.Buffer.Span)
            {
                sent = LinuxNative.SendTo(Fd, data, (nuint)packet.Length, LinuxNative.MsgDontWait, address, (uint)destination.Size);
            }

            if (sent != packet.Length)
            {
                Interlocked.Increment(ref _sendErrors);
                return false;
            }

            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <summary>Called by the loop thread once no event for this socket can be in flight.</summary>
    public void CloseHandle() => _socket.Dispose();

    public void Dispose()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _loop.Unregister(this);
    }
}
