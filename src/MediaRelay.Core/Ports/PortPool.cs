using System.Net;
using MediaRelay.Core.Api;

namespace MediaRelay.Core.Ports;

/// <summary>
/// Even RTP / odd RTCP port pairs from a range on one relay address. Freed pairs go to the back of the queue,
/// so they are reused last (late packets of an ended call do not reach a new one). A pair that fails to bind
/// is skipped and moved to the back.
/// Threading: not thread-safe; <see cref="Model.SessionManager"/> calls it under its control lock.
/// </summary>
internal sealed class PortPool
{
    private readonly Queue<int> _free = new();
    private readonly IPacketTransport _transport;

    public PortPool(IPAddress address, int portMin, int portMax, IPacketTransport transport)
        : this(new RelayInterface(RelayInterface.DefaultName, address), portMin, portMax, transport)
    {
    }

    public PortPool(RelayInterface relayInterface, int portMin, int portMax, IPacketTransport transport)
    {
        Interface = relayInterface;
        Address = relayInterface.Bind;
        _transport = transport;
        var first = portMin + (portMin & 1);
        for (var port = first; port + 1 <= portMax; port += 2)
        {
            _free.Enqueue(port);
        }

        TotalPairs = _free.Count;
    }

    /// <summary>The address the ports are bound on.</summary>
    public IPAddress Address { get; }

    /// <summary>The interface (name, bind and advertised address) the pool serves.</summary>
    public RelayInterface Interface { get; }

    public int TotalPairs { get; }

    public int PairsInUse => TotalPairs - _free.Count;

    /// <summary>
    /// Binds the next free pair. False when every free pair was tried and none could be bound, or at once when the
    /// process has no descriptor left (no other pair would bind either). A pair that failed goes back to the queue:
    /// no port is ever lost.
    /// </summary>
    public bool TryAllocate(out RelayListener rtp, out RelayListener rtcp)
    {
        for (var attempts = _free.Count; attempts > 0; attempts--)
        {
            var port = _free.Dequeue();
            var rtpListener = new RelayListener(port);
            var rtpSocket = _transport.TryBind(new IPEndPoint(Address, port), rtpListener, out var error);
            if (rtpSocket is not null)
            {
                var rtcpListener = new RelayListener(port + 1);
                var rtcpSocket = _transport.TryBind(new IPEndPoint(Address, port + 1), rtcpListener, out error);
                if (rtcpSocket is not null)
                {
                    rtpListener.Socket = rtpSocket;
                    rtcpListener.Socket = rtcpSocket;
                    rtp = rtpListener;
                    rtcp = rtcpListener;
                    return true;
                }

                rtpSocket.Dispose();
            }

            _free.Enqueue(port);
            if (error == BindError.NoDescriptors)
            {
                break;
            }
        }

        rtp = null!;
        rtcp = null!;
        return false;
    }

    /// <summary>Closes a pair's sockets and returns it to the back of the queue.</summary>
    public void Release(RelayListener rtp, RelayListener rtcp)
    {
        rtp.Dispose();
        rtcp.Dispose();
        _free.Enqueue(rtp.Port);
    }
}
