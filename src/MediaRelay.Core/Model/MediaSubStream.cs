using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Core.Forwarding;
using MediaRelay.Core.Net;
using MediaRelay.Protocols;

namespace MediaRelay.Core.Model;

/// <summary>
/// The RTP flow or the RTCP flow of one stream, between its two <see cref="MediaSubParty"/> sides. Relays each
/// packet out of the port that was advertised to its receiver, and marks the moment each direction may move
/// to kernel forwarding (seed rules 5 and 6).
/// Threading: <see cref="Relay"/> and <see cref="RelayStun"/> run on the receive thread of the arriving side;
/// the two directions share no lock. <see cref="End"/> runs on the control thread.
/// </summary>
internal sealed class MediaSubStream
{
    private readonly TimeProvider _time;
    private readonly RelayOptions _options;
    private readonly KernelQueue _kernel;
    private readonly StunQueue?[] _stunQueues = new StunQueue?[2];
    private readonly KernelFlow?[] _kernelFlows = new KernelFlow?[2];
    private readonly List<KernelFlow>?[] _retiredFlows = new List<KernelFlow>?[2];
    private readonly Lock _kernelGate = new();
    private volatile bool _ended;
    private volatile bool _usedKernel;

    public MediaSubStream(bool isRtcp, MediaParty caller, MediaParty callee, TimeProvider time, RelayOptions options, KernelQueue kernel,
        MediaDestinationPolicy destinations)
    {
        IsRtcp = isRtcp;
        _time = time;
        _options = options;
        _kernel = kernel;
        Caller = new MediaSubParty(this, PartyRole.Caller, isRtcp ? caller.RtcpListener : caller.RtpListener, time, options, destinations, caller.Quality);
        Callee = new MediaSubParty(this, PartyRole.Callee, isRtcp ? callee.RtcpListener : callee.RtpListener, time, options, destinations, callee.Quality);
    }

    public bool IsRtcp { get; }

    /// <summary>The other flow of the same stream (RTCP for RTP and back), for RTCP-mux translation.</summary>
    public MediaSubStream? Sibling { get; set; }

    public MediaSubParty Caller { get; }

    public MediaSubParty Callee { get; }

    public bool Ended => _ended;

    /// <summary>True once any direction was posted to the kernel (its statistics then need the worker's last read).</summary>
    public bool UsedKernel => _usedKernel;

    /// <summary>Attaches both sides to their listeners (seed rule 2): from now on their packets reach got_data.</summary>
    public void Attach()
    {
        Caller.Listener.Target = Caller;
        Callee.Listener.Target = Callee;
    }

    public MediaSubParty Side(PartyRole role) => role == PartyRole.Caller ? Caller : Callee;

    public MediaSubParty Other(MediaSubParty side) => side.Role == PartyRole.Caller ? Callee : Caller;

    /// <summary>
    /// Forwards media to the other side, from the port that faces it. False when it could not be sent.
    /// RTCP crosses between the flows when one party multiplexes and the other does not (RFC 5761 section 4):
    /// muxed RTCP arriving on the RTP flow leaves from the RTCP port towards a party that does not mux, and RTCP
    /// arriving on the RTCP flow leaves from the RTP port towards a party that does.
    /// </summary>
    public bool Relay(MediaSubParty from, ReadOnlySpan<byte> packet, PacketKind kind)
    {
        var to = from.Role == PartyRole.Caller ? Callee : Caller;
        if (kind == PacketKind.Rtcp && Sibling is { } sibling && to.RtcpMux == IsRtcp)
        {
            to = sibling.Side(to.Role);
        }

        return to.Destination is { } destination && Send(to, packet, destination);
    }

    /// <summary>Sends out of the socket that faces <paramref name="to"/>: the port that was advertised to it.</summary>
    private static bool Send(MediaSubParty to, ReadOnlySpan<byte> packet, SocketAddress destination) =>
        to.Listener.Socket is { } socket && socket.Send(packet, destination);

    /// <summary>Forwards STUN unchanged, or queues it briefly while the other side's address is unknown.</summary>
    public void RelayStun(MediaSubParty from, ReadOnlySpan<byte> packet, long now)
    {
        var to = Other(from);
        var destination = to.Destination;
        if (destination is not null)
        {
            if (!Send(to, packet, destination))
            {
                from.CountDropped();
            }

            return;
        }

        var queue = Volatile.Read(ref _stunQueues[(int)to.Role]);
        if (queue is null)
        {
            Interlocked.CompareExchange(ref _stunQueues[(int)to.Role], new StunQueue(), null);
            queue = _stunQueues[(int)to.Role]!;
        }

        if (!queue.TryEnqueue(packet, now))
        {
            from.CountDropped();
        }

        // The destination may have become known while we queued.
        FlushStunTo(to);
    }

    /// <summary>Sends STUN queued for this side, now that it may have a destination.</summary>
    public void FlushStunTo(MediaSubParty to)
    {
        var queue = Volatile.Read(ref _stunQueues[(int)to.Role]);
        var destination = to.Destination;
        if (queue is null || destination is null)
        {
            return;
        }

        var socket = to.Listener.Socket;
        if (socket is not null)
        {
            queue.Flush(socket, destination, _time.GetTimestamp(), _time.Ticks(_options.StunQueueTime));
        }
    }

    /// <summary>
    /// A side learned its remote: queued STUN can go, and a direction may become kernel-eligible. When RTP learns,
    /// an RTCP latch of the same party on another IP (made before RTP knew, by a stranger) is dropped (DESIGN 3.2).
    /// </summary>
    public void OnLearned(MediaSubParty side)
    {
        if (!IsRtcp && Sibling?.Side(side.Role) is { } rtcp && rtcp.Remote is { } rtcpRemote && side.Remote is { } rtpRemote
            && !SocketAddresses.SameIp(rtcpRemote, rtpRemote))
        {
            rtcp.Forget();
        }

        FlushStunTo(side);
        Recheck(side);
    }

    public void OnFirstMedia(MediaSubParty side) => CheckKernelEligible(side);

    /// <summary>A side forgot its remote: neither direction through it may stay in the kernel.</summary>
    public void OnForgotten()
    {
        lock (_kernelGate)
        {
            Retire(0);
            Retire(1);
        }
    }

    /// <summary>
    /// Rule 6, per direction (DESIGN 3.3, 4.1): the direction from <paramref name="from"/> may leave user space once
    /// its source is learned and has sent media, and its destination is learned. It is posted to the kernel worker,
    /// never applied here. A changed route retires the old flow first (the worker removes it before installing the
    /// new one, in posting order). A direction whose two parties disagree on RTCP-mux stays in user space, where
    /// RTCP is moved between the ports. Both sides' receive threads and the control thread get here, so deciding
    /// takes <c>_kernelGate</c>; this happens on first media and on learning only, never per packet.
    /// </summary>
    private void CheckKernelEligible(MediaSubParty from)
    {
        if (!_kernel.Enabled)
        {
            return;
        }

        var to = Other(from);
        var index = (int)from.Role;
        lock (_kernelGate)
        {
            // Read under the gate: a Forget or a learn on another thread must not slip between reading and posting.
            var fromRemote = from.Remote;
            var toRemote = to.Remote;
            var previous = _kernelFlows[index];

            // A flow whose addresses are no longer the learned ones goes, whatever else holds: one party moved
            // while the other is still obsolete, or a remote was forgotten. (An obsolete party whose address did
            // not change keeps its flow: grace re-learn.)
            if (previous is not null && (fromRemote is null || toRemote is null
                || !SameEndPoint(previous.InRemote, fromRemote) || !SameEndPoint(previous.OutRemote, toRemote)))
            {
                Retire(index);
                previous = null;
            }

            // An obsolete party (grace re-learn) still sends from, and receives at, its learned address, as in user
            // space: its directions may stay in or enter the kernel; a new source seen in user space re-routes them.
            // A direction between the families (IPv4 to IPv6 bridging) stays in user space: the program rewrites
            // addresses within one IP header format only.
            if (_ended || !from.HasSentMedia || fromRemote is null || toRemote is null
                || from.RtcpMux != to.RtcpMux || to.Listener.Socket is null
                || from.Listener.LocalEndPoint.AddressFamily != to.Listener.LocalEndPoint.AddressFamily)
            {
                return;
            }

            var flow = new KernelFlow(from.Listener.LocalEndPoint, SocketAddresses.ToEndPoint(fromRemote), to.Listener.LocalEndPoint, SocketAddresses.ToEndPoint(toRemote));
            if (flow.SameRoute(previous))
            {
                return;
            }

            if (previous is not null)
            {
                Retire(index);
            }

            if (_kernel.Offload(flow))
            {
                _kernelFlows[index] = flow;
                _usedKernel = true;
            }
        }
    }

    /// <summary>Both directions through <paramref name="side"/> are checked again (it learned, or its obsolete mark ended).</summary>
    public void Recheck(MediaSubParty side)
    {
        CheckKernelEligible(side);
        CheckKernelEligible(Other(side));
    }

    private static bool SameEndPoint(IPEndPoint endPoint, SocketAddress address) =>
        SocketAddresses.ToEndPoint(address).Equals(endPoint);

    /// <summary>Posts the removal of a direction's kernel flow, keeping it to count what it forwarded (DESIGN 3.2).</summary>
    private void Retire(int index)
    {
        var flow = _kernelFlows[index];
        if (flow is null)
        {
            return;
        }

        _kernel.Remove(flow);
        (_retiredFlows[index] ??= []).Add(flow);
        _kernelFlows[index] = null;
    }

    /// <summary>Kernel-forwarded packets and bytes of one direction, over every flow it ever had (cached reads).</summary>
    public (long Packets, long Bytes) KernelCounters(PartyRole from)
    {
        var index = (int)from;
        lock (_kernelGate)
        {
            long packets = 0;
            long bytes = 0;
            if (_kernelFlows[index] is { } flow)
            {
                packets += flow.Packets;
                bytes += flow.Bytes;
            }

            if (_retiredFlows[index] is { } retired)
            {
                foreach (var old in retired)
                {
                    packets += old.Packets;
                    bytes += old.Bytes;
                }
            }

            return (packets, bytes);
        }
    }

    /// <summary>How many of the two directions the kernel forwards now.</summary>
    public int KernelDirections
    {
        get
        {
            lock (_kernelGate)
            {
                return (_kernelFlows[0] is null ? 0 : 1) + (_kernelFlows[1] is null ? 0 : 1);
            }
        }
    }

    /// <summary>Adds this flow's current kernel directions to <paramref name="flows"/>.</summary>
    public void CollectKernelFlows(List<KernelFlow> flows)
    {
        lock (_kernelGate)
        {
            foreach (var flow in _kernelFlows)
            {
                if (flow is not null)
                {
                    flows.Add(flow);
                }
            }
        }
    }

    /// <summary>
    /// Until when the direction's source may have been sending through the kernel, over every flow it ever had
    /// (the last one's final counts are read when it is removed): timestamp, 0 if never.
    /// </summary>
    public long KernelActivity(PartyRole from)
    {
        var index = (int)from;
        lock (_kernelGate)
        {
            var until = _kernelFlows[index]?.LastActive ?? 0;
            if (_retiredFlows[index] is { } retired)
            {
                foreach (var old in retired)
                {
                    until = Math.Max(until, old.LastActive);
                }
            }

            return until;
        }
    }

    /// <summary>Until when the direction's source may have been sending through the kernel (timestamp, 0 if never).</summary>
    public long KernelLastActive(PartyRole from) => Volatile.Read(ref _kernelFlows[(int)from])?.LastActive ?? 0;

    /// <summary>
    /// True when the kernel certainly forwarded packets of this direction after <paramref name="timestamp"/>: its
    /// counters grew at a read that came more than one read interval after it.
    /// </summary>
    public bool KernelSentAfter(PartyRole from, long timestamp) =>
        KernelLastActive(from) - (2 * _time.Ticks(_kernel.ReadInterval)) > timestamp;

    /// <summary>Stops relaying: later packets are counted and dropped; kernel flows are removed, their counts kept.</summary>
    public void End()
    {
        // Before the ports go back to the pool (kept bound for reuse): what reaches them from now on is not this call's.
        Caller.FreezeUnattached();
        Callee.FreezeUnattached();
        lock (_kernelGate)
        {
            _ended = true;
            for (var i = 0; i < _kernelFlows.Length; i++)
            {
                Retire(i);
            }
        }
    }
}
