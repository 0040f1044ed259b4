using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;
using MediaRelay.Transport.Native;

namespace MediaRelay.Transport.Epoll;

/// <summary>
/// One media socket served by an <see cref="EpollLoop"/>. Send joins the sendmmsg of the batch being delivered on the
/// calling loop thread, or else is a direct, non-blocking sendto. Either way the system call holds a reference on the
/// socket handle, so a concurrent close can never redirect a packet to a descriptor number reused by another socket.
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

        // On a loop thread delivering a batch: join the batch's sendmmsg instead of a sendto of its own.
        if (EpollLoop.Delivering is { } loop && loop.TryQueueSend(this, packet, destination))
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

    /// <summary>Sends queued messages with one sendmmsg; returns how many the kernel took, or -1 (the loop counts the rest).</summary>
    public int SendQueued(LinuxNative.MMsgHdr* messages, int count)
    {
        if (_closed)
        {
            return 0;
        }

        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            return LinuxNative.SendMMsg(Fd, messages, (uint)count, LinuxNative.MsgDontWait);
        }
        catch (ObjectDisposedException)
        {
            return 0;
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
