using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;
using MediaRelay.Transport.Native;

namespace MediaRelay.Transport;

/// <summary>
/// What a media socket of a native packet loop (epoll or io_uring) shares with the other kind: its descriptor, its
/// receiver, and Send, which first offers the packet to the calling thread's loop (to leave in that loop's batch)
/// and otherwise makes a direct, non-blocking sendto that holds a reference on the handle, so a concurrent close
/// can never redirect a packet to a descriptor number reused by another socket.
/// </summary>
internal abstract class LoopSocket : IRelaySocket
{
    private readonly IPacketReceiver _receiver;
    private volatile bool _closed;
    private long _sendErrors;

    protected LoopSocket(Socket socket, IPacketReceiver receiver)
    {
        Socket = socket;
        Handle = socket.SafeHandle;
        _receiver = receiver;
        Fd = (int)Handle.DangerousGetHandle();
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public int Fd { get; }

    public IPEndPoint LocalEndPoint { get; }

    public bool IsClosed => _closed;

    /// <summary>Direct sends the kernel refused.</summary>
    public long SendErrors => Volatile.Read(ref _sendErrors);

    protected Socket Socket { get; }

    protected SafeSocketHandle Handle { get; }

    /// <summary>Hands a received datagram to the socket's receiver; called by the loop thread only.</summary>
    public void Deliver(ReadOnlySpan<byte> packet, SocketAddress source) => _receiver.OnPacket(packet, source);

    public bool Send(ReadOnlySpan<byte> packet, SocketAddress destination)
    {
        if (_closed)
        {
            return false;
        }

        if (TryQueueOnCallingLoop(packet, destination))
        {
            return true;
        }

        if (!DirectSend.TrySendTo(Handle, Fd, packet, destination))
        {
            Interlocked.Increment(ref _sendErrors);
            return false;
        }

        return true;
    }

    /// <summary>Closes the descriptor; called by the owning loop once no kernel request or event can name it.</summary>
    public abstract void CloseHandle();

    public void Dispose()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        Unregister();
    }

    /// <summary>True when the calling thread is a packet loop that took the packet into its own batch.</summary>
    protected abstract bool TryQueueOnCallingLoop(ReadOnlySpan<byte> packet, SocketAddress destination);

    /// <summary>Asks the owning loop to stop delivering and to close the descriptor.</summary>
    protected abstract void Unregister();
}
