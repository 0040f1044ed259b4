using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;
using MediaRelay.Transport.Native;

namespace MediaRelay.Transport.IoUring;

/// <summary>
/// One media socket served by an <see cref="IoUringLoop"/>: one multishot recvmsg request receives all its datagrams.
/// Send made on any loop thread becomes a send entry in that loop's ring, submitted with the loop's next
/// io_uring_enter; from any other thread it is a direct, non-blocking sendto (<see cref="LoopSocket"/>).
/// </summary>
internal sealed class IoUringSocket(Socket socket, IPacketReceiver receiver, IoUringLoop loop) : LoopSocket(socket, receiver)
{
    /// <summary>The loop's slot for this socket; -1 until the loop has taken it. Loop thread only.</summary>
    public int Slot { get; set; } = -1;

    /// <summary>True while the multishot receive is in the kernel. Loop thread only.</summary>
    public bool Armed { get; set; }

    /// <summary>True once the loop has asked the kernel to cancel the receive. Loop thread only.</summary>
    public bool Cancelling { get; set; }

    /// <summary>Keeps the descriptor open until <see cref="ReleaseReference"/>, for a send the kernel still holds.</summary>
    public bool TryAddReference()
    {
        var added = false;
        try
        {
            Handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        return added;
    }

    public void ReleaseReference() => Handle.DangerousRelease();

    /// <summary>Receives in a row that ended with an error. Loop thread only.</summary>
    public int FailedReceives { get; set; }

    /// <summary>
    /// Called by the loop thread once the kernel holds no receive for this socket. Closes the handle, not the Socket:
    /// Socket.Dispose waits for every reference, and a send another loop has queued holds one until that loop's
    /// io_uring_enter, which must not stall this loop. The descriptor closes at the last reference.
    /// </summary>
    public override void CloseHandle() => Handle.Dispose();

    protected override bool TryQueueOnCallingLoop(ReadOnlySpan<byte> packet, SocketAddress destination) =>
        IoUringLoop.Current is { } current && current.TryQueueSend(this, packet, destination);

    protected override void Unregister() => loop.Unregister(this);
}
