using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;

namespace MediaRelay.Transport.Udp;

/// <summary>
/// One bound media socket and its receive loop.
/// Threading: one receive loop per socket, so its receiver sees one packet at a time; <see cref="Send"/> may be
/// called from any thread (sendto on a UDP socket is atomic per datagram).
/// </summary>
internal sealed class UdpRelaySocket : IRelaySocket
{
    private readonly Socket _socket;
    private readonly IPacketReceiver _receiver;
    private readonly byte[] _buffer;
    private readonly SocketAddress _source;
    private readonly UdpTransport _transport;
    private volatile bool _disposed;

    public UdpRelaySocket(Socket socket, IPacketReceiver receiver, int maxDatagramSize, UdpTransport transport)
    {
        _socket = socket;
        _receiver = receiver;
        _transport = transport;
        _buffer = GC.AllocateUninitializedArray<byte>(maxDatagramSize, pinned: true);
        _source = new SocketAddress(socket.AddressFamily);
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Start() => _ = ReceiveLoopAsync();

    public bool Send(ReadOnlySpan<byte> packet, SocketAddress destination)
    {
        if (_disposed)
        {
            return false;
        }

        try
        {
            return _socket.SendTo(packet, SocketFlags.None, destination) == packet.Length;
        }
        catch (SocketException)
        {
            // ENOBUFS, EAGAIN on a full send buffer, or an unreachable destination: the packet is lost, the
            // socket stays usable. Counted, not logged, since a peer can trigger it per packet.
            _transport.CountSendError();
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var memory = _buffer.AsMemory();
        var pending = Receive(memory);
        while (true)
        {
            int length;
            try
            {
                length = await pending.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (_disposed || e.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted)
                {
                    return;
                }

                // ICMP-driven errors (connection refused/reset) do not stop the loop.
                _transport.CountReceiveError(e.SocketErrorCode, LocalEndPoint);
                pending = Receive(memory);
                continue;
            }

            var mark = PacketPathAllocations.Enabled ? GC.GetAllocatedBytesForCurrentThread() : 0;
            try
            {
                _receiver.OnPacket(_buffer.AsSpan(0, length), _source);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A bug in packet handling must not stop this port from relaying.
                _transport.CountReceiveError(SocketError.SocketError, LocalEndPoint);
            }

            if (_disposed)
            {
                return;
            }

            pending = Receive(memory);
            if (PacketPathAllocations.Enabled)
            {
                PacketPathAllocations.Add(GC.GetAllocatedBytesForCurrentThread() - mark);
            }
        }
    }

    /// <summary>Issues the next receive; a synchronous failure comes back as a faulted ValueTask, not a throw.</summary>
    private ValueTask<int> Receive(Memory<byte> memory)
    {
        try
        {
            return _socket.ReceiveFromAsync(memory, SocketFlags.None, _source);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return ValueTask.FromException<int>(e);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _socket.Dispose();
    }
}
