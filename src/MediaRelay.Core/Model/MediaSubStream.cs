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
    private readonly IKernelForwarder _forwarder;
    private readonly StunQueue?[] _stunQueues = new StunQueue?[2];
    private readonly KernelFlow?[] _kernelFlows = new KernelFlow?[2];
    private readonly long[] _retiredKernelPackets = new long[2];
    private readonly long[] _retiredKernelBytes = new long[2];
    private readonly Lock _kernelGate = new();
    private volatile bool _ended;

    public MediaSubStream(bool isRtcp, MediaParty caller, MediaParty callee, TimeProvider time, RelayOptions options, IKernelForwarder forwarder,
        MediaDestinationPolicy destinations)
    {
        IsRtcp = isRtcp;
        _time = time;
        _options = options;
        _forwarder = forwarder;
        Caller = new MediaSubParty(this, PartyRole.Caller, isRtcp ? caller.RtcpListener : caller.RtpListener, time, options, destinations);
        Callee = new MediaSubParty(this, PartyRole.Callee, isRtcp ? callee.RtcpListener : callee.RtpListener, time, options, destinations);
    }

    public bool IsRtcp { get; }

    /// <summary>The other flow of the same stream (RTCP for RTP and back), for RTCP-mux translation.</summary>
    public MediaSubStream? Sibling { get; set; }

    public MediaSubParty Caller { get; }

    public MediaSubParty Callee { get; }

    public bool Ended => _ended;

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
        CheckKernelEligible(side);
        CheckKernelEligible(Other(side));
    }

    public void OnFirstMedia(MediaSubParty side) => CheckKernelEligible(side);

    /// <summary>
    /// Rule 6, per direction (DESIGN 3.3): the direction from <paramref name="from"/> may leave user space once
    /// its source is learned and has sent media, and its destination is learned. Both sides' receive threads and
    /// the control thread get here, so installing and removing flows takes <c>_kernelGate</c>; this happens on
    /// first media and on learning only, never per packet.
    /// </summary>
    private void CheckKernelEligible(MediaSubParty from)
    {
        var to = Other(from);
        var fromRemote = from.Remote;
        var toRemote = to.Remote;
        if (_ended || !from.HasSentMedia || fromRemote is null || toRemote is null || from.IsObsolete || to.IsObsolete)
        {
            return;
        }

        var index = (int)from.Role;
        var flow = new KernelFlow(from.Listener.LocalEndPoint, SocketAddresses.ToEndPoint(fromRemote), to.Listener.LocalEndPoint, SocketAddresses.ToEndPoint(toRemote));
        lock (_kernelGate)
        {
            var previous = _kernelFlows[index];
            if (_ended || previous == flow)
            {
                return;
            }

            if (previous is not null)
            {
                Retire(index);
            }

            _kernelFlows[index] = _forwarder.TryOffload(flow) ? flow : null;
        }
    }

    /// <summary>Removes a direction's kernel flow, keeping what it forwarded (DESIGN 3.2: count every path).</summary>
    private void Retire(int index)
    {
        var flow = _kernelFlows[index];
        if (flow is null)
        {
            return;
        }

        var (packets, bytes) = _forwarder.ReadCounters(flow);
        _retiredKernelPackets[index] += packets;
        _retiredKernelBytes[index] += bytes;
        _forwarder.Remove(flow);
        _kernelFlows[index] = null;
    }

    public (long Packets, long Bytes) KernelCounters(PartyRole from)
    {
        var index = (int)from;
        lock (_kernelGate)
        {
            var flow = _kernelFlows[index];
            var (packets, bytes) = flow is null ? (0L, 0L) : _forwarder.ReadCounters(flow);
            return (_retiredKernelPackets[index] + packets, _retiredKernelBytes[index] + bytes);
        }
    }

    /// <summary>Stops relaying: later packets are counted and dropped; kernel flows are removed, their counts kept.</summary>
    public void End()
    {
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
