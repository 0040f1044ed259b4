using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;
using MediaRelay.Transport.Native;

namespace MediaRelay.Transport.IoUring;

/// <summary>
/// One media socket served by an <see cref="IoUringLoop"/>: one multishot recvmsg request receives all its datagrams.
/// Send made on any loop thread becomes a sendmsg entry in that loop's ring, submitted with the loop's next
/// io_uring_enter; from any other thread it is a direct, non-blocking sendto.
/// </summary>
internal sealed class IoUringSocket : IRelaySocket
{
    private readonly Socket _socket;
    private readonly SafeSocketHandle _handle;
    private readonly IPacketReceiver _receiver;
    private readonly IoUringLoop _loop;
    private volatile bool _closed;
    private long _sendErrors;

    public IoUringSocket(Socket socket, IPacketReceiver receiver, IoUringLoop loop)
    {
        _socket = socket;
        _handle = socket.SafeHandle;
        _receiver = receiver;
        _loop = loop;
        Fd = (int)_handle.DangerousGetHandle();
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public int Fd { get; }

    public IPEndPoint LocalEndPoint { get; }

    public bool IsClosed => _closed;

    /// <summary>The loop's slot for this socket; -1 until the loop has taken it. Loop thread only.</summary>
    public int Slot { get; set; } = -1;

    /// <summary>True while the multishot receive is in the kernel. Loop thread only.</summary>
    public bool Armed { get; set; }

    /// <summary>True once the loop has asked the kernel to cancel the receive. Loop thread only.</summary>
    public bool Cancelling { get; set; }

    public long SendErrors => Volatile.Read(ref _sendErrors);

    public void Deliver(ReadOnlySpan<byte> packet, SocketAddress source) => _receiver.OnPacket(packet, source);

    public bool Send(ReadOnlySpan<byte> packet, SocketAddress destination)
    {
        if (_closed)
        {
            return false;
        }

        if (IoUringLoop.Current is { } loop && loop.TryQueueSend(this, packet, destination))
        {
            return true;
        }

        if (!DirectSend.TrySendTo(_handle, Fd, packet, destination))
        {
            Interlocked.Increment(ref _sendErrors);
            return false;
        }

        return true;
    }

    /// <summary>Keeps the descriptor open until <see cref="ReleaseReference"/>, for a send the kernel still holds.</summary>
    public bool TryAddReference()
    {
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        return added;
    }

    public void ReleaseReference() => _handle.DangerousRelease();

    /// <summary>Receives in a row that ended with an error. Loop thread only.</summary>
    public int FailedReceives { get; set; }

    /// <summary>
    /// Called by the loop thread once the kernel holds no receive for this socket. Closes the handle, not the Socket:
    /// Socket.Dispose waits for every reference, and a send queued in another loop's ring holds one until that
    /// loop's next round, which must not stall this loop. The descriptor closes at the last reference.
    /// </summary>
    public void CloseHandle() => _handle.Dispose();

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
