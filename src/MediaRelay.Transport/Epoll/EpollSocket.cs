using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;
using MediaRelay.Transport.Native;

namespace MediaRelay.Transport.Epoll;

/// <summary>
/// One media socket served by an <see cref="EpollLoop"/>. Send joins the sendmmsg of the batch being delivered on the
/// calling loop thread, or else is a direct, non-blocking sendto (<see cref="LoopSocket"/>).
/// </summary>
internal sealed unsafe class EpollSocket(Socket socket, IPacketReceiver receiver, EpollLoop loop) : LoopSocket(socket, receiver)
{
    public int Slot { get; set; }

    /// <summary>Sends queued messages with one sendmmsg; returns how many the kernel took, or -1 (the loop counts the rest).</summary>
    public int SendQueued(LinuxNative.MMsgHdr* messages, int count)
    {
        if (IsClosed)
        {
            return 0;
        }

        var added = false;
        try
        {
            Handle.DangerousAddRef(ref added);
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
                Handle.DangerousRelease();
            }
        }
    }

    /// <summary>Called by the loop thread once no event for this socket can be in flight.</summary>
    public override void CloseHandle() => Socket.Dispose();

    // On a loop thread delivering a batch: join the batch's sendmmsg instead of a sendto of its own.
    protected override bool TryQueueOnCallingLoop(ReadOnlySpan<byte> packet, SocketAddress destination) =>
        EpollLoop.Delivering is { } delivering && delivering.TryQueueSend(this, packet, destination);

    protected override void Unregister() => loop.Unregister(this);
}
