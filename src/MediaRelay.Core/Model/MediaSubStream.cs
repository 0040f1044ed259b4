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
    private readonly Func<ReadOnlyMemory<byte>, SocketAddress, bool>[] _senders = new Func<ReadOnlyMemory<byte>, SocketAddress, bool>[2];
    private volatile bool _ended;

    public MediaSubStream(bool isRtcp, MediaParty caller, MediaParty callee, TimeProvider time, RelayOptions options, IKernelForwarder forwarder)
    {
        IsRtcp = isRtcp;
        _time = time;
        _options = options;
        _forwarder = forwarder;
        Caller = new MediaSubParty(this, PartyRole.Caller, isRtcp ? caller.RtcpListener : caller.RtpListener, time, options);
        Callee = new MediaSubParty(this, PartyRole.Callee, isRtcp ? callee.RtcpListener : callee.RtpListener, time, options);
        foreach (var side in new[] { Caller, Callee })
        {
            var socketOwner = side;
            _senders[(int)side.Role] = (data, to) => socketOwner.Listener.Socket?.Send(data.Span, to) ?? false;
        }
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

        var destination = to.Destination;
        var socket = to.Listener.Socket;
        return destination is not null && socket is not null && socket.Send(packet, destination);
    }

    /// <summary>Forwards STUN unchanged, or queues it briefly while the other side's address is unknown.</summary>
    public void RelayStun(MediaSubParty from, ReadOnlySpan<byte> packet, long now)
    {
        var to = Other(from);
        var destination = to.Destination;
        if (destination is not null)
        {
            if (to.Listener.Socket?.Send(packet, destination) != true)
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

        var maxAge = (long)(_options.StunQueueTime.TotalSeconds * _time.TimestampFrequency);
        queue.Flush(_senders[(int)to.Role], destination, _time.GetTimestamp(), maxAge);
    }

    /// <summary>A side learned its remote: queued STUN can go, and a direction may become kernel-eligible.</summary>
    public void OnLearned(MediaSubParty side)
    {
        FlushStunTo(side);
        CheckKernelEligible(side);
        CheckKernelEligible(Other(side));
    }

    public void OnFirstMedia(MediaSubParty side) => CheckKernelEligible(side);

    /// <summary>
    /// Rule 6, per direction (DESIGN 3.3): the direction from <paramref name="from"/> may leave user space once
    /// its source is learned and has sent media, and its destination is learned.
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
        var previous = Volatile.Read(ref _kernelFlows[index]);
        if (previous == flow)
        {
            return;
        }

        if (previous is not null)
        {
            _forwarder.Remove(previous);
        }

        Volatile.Write(ref _kernelFlows[index], _forwarder.TryOffload(flow) ? flow : null);
    }

    public (long Packets, long Bytes) KernelCounters(PartyRole from)
    {
        var flow = Volatile.Read(ref _kernelFlows[(int)from]);
        return flow is null ? (0, 0) : _forwarder.ReadCounters(flow);
    }

    /// <summary>Stops relaying: later packets are counted and dropped; kernel flows are removed.</summary>
    public void End()
    {
        _ended = true;
        for (var i = 0; i < _kernelFlows.Length; i++)
        {
            var flow = Interlocked.Exchange(ref _kernelFlows[i], null);
            if (flow is not null)
            {
                _forwarder.Remove(flow);
            }
        }
    }
}
