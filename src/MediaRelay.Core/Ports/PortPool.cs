using System.Net;
using MediaRelay.Core.Api;

namespace MediaRelay.Core.Ports;

/// <summary>
/// Even RTP / odd RTCP port pairs from a range on one relay address. Freed pairs go to the back of the queue,
/// so they are reused last (late packets of an ended call do not reach a new one). A pair that fails to bind
/// is skipped and moved to the back.
///
/// A freed pair keeps its two bound sockets for <see cref="RelayOptions.PortReuse"/> ("parked"): the next call
/// that takes it from the queue skips socket, bind, the packet loop's arm and cancel, and close. Parking does not
/// change the order in which ports are reused, only what reuse costs; a parked socket delivers nothing (its
/// listener has no target: what still arrives is counted and dropped). The sweep closes pairs parked longer than
/// that (<see cref="CloseParkedBefore"/>), so an idle relay holds no socket it does not use.
/// Threading: not thread-safe; <see cref="Model.SessionManager"/> calls it under its control lock.
/// </summary>
internal sealed class PortPool
{
    private readonly FreePair[] _free;
    private readonly Queue<(int Slot, long ParkedAt)> _parkedOrder = new();
    private readonly IPacketTransport _transport;
    private readonly TimeProvider _time;
    private readonly Action? _parked;
    private readonly long _reuseTicks;
    private int _head;
    private int _count;

    /// <param name="relayInterface">The interface the pool serves.</param>
    /// <param name="portMin">The range's first port (rounded up to even).</param>
    /// <param name="portMax">The range's last port.</param>
    /// <param name="transport">Binds the sockets.</param>
    /// <param name="time">The clock of the reuse time.</param>
    /// <param name="reuse">How long a freed pair stays bound; zero closes it at once.</param>
    /// <param name="parked">Called when a pair is parked, so the sweep that closes it is sure to run.</param>
    public PortPool(RelayInterface relayInterface, int portMin, int portMax, IPacketTransport transport, TimeProvider time, TimeSpan reuse,
        Action? parked = null)
    {
        Interface = relayInterface;
        Address = relayInterface.Bind;
        _transport = transport;
        _time = time;
        _parked = parked;
        _reuseTicks = reuse <= TimeSpan.Zero ? 0 : Math.Max(1, (long)(reuse.TotalSeconds * time.TimestampFrequency));
        var first = portMin + (portMin & 1);
        TotalPairs = first + 1 <= portMax ? ((portMax - first - 1) / 2) + 1 : 0;
        _free = new FreePair[TotalPairs];
        for (var port = first; port + 1 <= portMax; port += 2)
        {
            Enqueue(new FreePair(port, null, null, 0));
        }
    }

    /// <summary>The address the ports are bound on.</summary>
    public IPAddress Address { get; }

    /// <summary>The interface (name, bind and advertised address) the pool serves.</summary>
    public RelayInterface Interface { get; }

    public int TotalPairs { get; }

    public int PairsInUse => TotalPairs - _count;

    /// <summary>Freed pairs whose sockets are still bound, waiting to be reused or closed by the sweep.</summary>
    public int ParkedPairs { get; private set; }

    /// <summary>
    /// The next free pair: its parked sockets, or two newly bound ones. False when every free pair was tried and none
    /// could be bound, or at once when the process has no descriptor left (no other pair would bind either; the
    /// caller may close the parked pairs and try again). A pair that failed goes back to the queue: no port is ever
    /// lost.
    /// </summary>
    public bool TryAllocate(out RelayListener rtp, out RelayListener rtcp, out BindError error)
    {
        error = BindError.None;
        for (var attempts = _count; attempts > 0; attempts--)
        {
            var pair = Dequeue();
            if (pair.Rtp is not null && pair.Rtcp is not null)
            {
                ParkedPairs--;
                pair.Rtp.Reuse();
                pair.Rtcp.Reuse();
                rtp = pair.Rtp;
                rtcp = pair.Rtcp;
                return true;
            }

            var port = pair.Port;
            var rtpListener = new RelayListener(port);
            var rtpSocket = _transport.TryBind(new IPEndPoint(Address, port), rtpListener, out error);
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

            Enqueue(new FreePair(port, null, null, 0));
            if (error == BindError.NoDescriptors)
            {
                break;
            }
        }

        rtp = null!;
        rtcp = null!;
        return false;
    }

    /// <summary>
    /// Returns a pair to the back of the queue: its sockets parked (still bound, delivering nothing) when reuse is
    /// on and <paramref name="park"/> allows, else closed.
    /// </summary>
    public void Release(RelayListener rtp, RelayListener rtcp, bool park = true)
    {
        if (park && _reuseTicks > 0 && rtp.Socket is not null && rtcp.Socket is not null)
        {
            rtp.Park();
            rtcp.Park();
            ParkedPairs++;
            var now = _time.GetTimestamp();
            _parkedOrder.Enqueue(((_head + _count) % _free.Length, now));
            Enqueue(new FreePair(rtp.Port, rtp, rtcp, now));
            _parked?.Invoke();
            return;
        }

        rtp.Dispose();
        rtcp.Dispose();
        Enqueue(new FreePair(rtp.Port, null, null, 0));
    }

    /// <summary>
    /// Closes the sockets of every pair parked before <paramref name="timestamp"/> (a <see cref="TimeProvider"/>
    /// timestamp); the pairs stay where they are in the queue. Returns how many pairs it closed.
    /// </summary>
    public int CloseParkedBefore(long timestamp)
    {
        // The pairs in the order they were parked, by their slot in the queue: an entry whose pair has been taken
        // since (the slot is empty, or holds a pair parked at another time) is only dropped.
        var closed = 0;
        while (_parkedOrder.TryPeek(out var oldest) && oldest.ParkedAt < timestamp)
        {
            _parkedOrder.Dequeue();
            ref var pair = ref _free[oldest.Slot];
            if (pair.Rtp is not null && pair.ParkedAt == oldest.ParkedAt)
            {
                Close(ref pair);
                closed++;
            }
        }

        return closed;
    }

    /// <summary>Closes the sockets of pairs parked longer than the reuse time; returns how many pairs it closed.</summary>
    /// <remarks>
    /// Keyed on the park order, not on <see cref="ParkedPairs"/>: pairs taken again before they expired leave their
    /// entries behind, and a pool whose kept pairs are all taken by every sweep must still drop those.
    /// </remarks>
    public int CloseExpired() =>
        _parkedOrder.Count > 0 ? CloseParkedBefore(_time.GetTimestamp() - _reuseTicks + 1) : 0;

    /// <summary>Closes the sockets of every parked pair (shutdown, or descriptors running short).</summary>
    public int CloseParked() => _parkedOrder.Count > 0 ? CloseParkedBefore(long.MaxValue) : 0;

    private void Close(ref FreePair pair)
    {
        pair.Rtp!.Dispose();
        pair.Rtcp!.Dispose();
        pair = new FreePair(pair.Port, null, null, 0);
        ParkedPairs--;
    }

    private void Enqueue(FreePair pair)
    {
        System.Diagnostics.Debug.Assert(_count < _free.Length, "a pair was released twice");
        _free[(_head + _count) % _free.Length] = pair;
        _count++;
    }

    private FreePair Dequeue()
    {
        var pair = _free[_head];
        _free[_head] = default;
        _head = (_head + 1) % _free.Length;
        _count--;
        return pair;
    }

    /// <summary>A free pair in the queue: its RTP port, and its two listeners while parked.</summary>
    private readonly record struct FreePair(int Port, RelayListener? Rtp, RelayListener? Rtcp, long ParkedAt);
}
