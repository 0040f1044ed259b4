using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;
using MediaRelay.Core.Net;
using MediaRelay.Core.Ports;
using MediaRelay.Core.Quality;
using MediaRelay.Core.Statistics;
using MediaRelay.Protocols;
using MediaRelay.Protocols.Rtp;

namespace MediaRelay.Core.Model;

/// <summary>
/// One side of one flow (RTP or RTCP) of one stream: the relay port that faces a party, and what was learned of
/// that party's real address. Its <see cref="OnPacket"/> is the seed's <c>got_data</c>.
/// Threading: <see cref="OnPacket"/> runs only on the receive thread of this side's socket, and only that thread
/// writes the counters and learns the remote. The control thread sets the SDP address and the obsolete mark
/// through volatile fields; the other side's receive thread reads <see cref="Destination"/>. No lock is taken.
/// </summary>
internal sealed class MediaSubParty : IPacketReceiver
{
    private readonly MediaSubStream _subStream;
    private readonly TimeProvider _time;
    private readonly RelayOptions _options;
    private readonly MediaDestinationPolicy _destinations;
    private readonly PartyQuality _quality;

    private SocketAddress? _remote;
    private SocketAddress? _sdpRemote;
    private SocketAddress? _sdpDestination;
    private SocketAddress? _signallingIp;
    private volatile bool _obsolete;
    private long _latchUntil;
    private long _relearnUntil;

    private long _packets;
    private long _bytes;
    private long _errors;
    private long _unattachedAtEnd = -1;
    private long _stun;
    private long _lastMedia;
    private long _lastStun;
    private long _firstMediaTicks;
    private int _firstPayloadType = -1;
    private volatile bool _hasSentMedia;

    public MediaSubParty(MediaSubStream subStream, PartyRole role, RelayListener listener, TimeProvider time, RelayOptions options,
        MediaDestinationPolicy destinations, PartyQuality quality)
    {
        _quality = quality;
        _subStream = subStream;
        _destinations = destinations;
        Role = role;
        Listener = listener;
        _time = time;
        _options = options;
    }

    public PartyRole Role { get; }

    public RelayListener Listener { get; }

    /// <summary>For an RTCP side: the RTP side of the same party, whose learned IP bounds what RTCP may learn.</summary>
    public MediaSubParty? RtpSibling { get; set; }

    public SocketAddress? Remote => Volatile.Read(ref _remote);

    public bool IsObsolete => _obsolete;

    public bool HasSentMedia => _hasSentMedia;

    /// <summary>The party multiplexes RTCP on its RTP port (RFC 5761): it sends and expects RTCP there.</summary>
    public bool RtcpMux { get; private set; }

    /// <summary>
    /// Where packets for this party go: the learned remote, else the address from its SDP when the destination
    /// policy allows it. Both were checked by <see cref="MediaDestinationPolicy"/> when set, never per packet.
    /// </summary>
    public SocketAddress? Destination => Volatile.Read(ref _remote) ?? Volatile.Read(ref _sdpDestination);

    /// <summary>Timestamp of the last media packet from this party, 0 when none.</summary>
    public long LastMedia => Volatile.Read(ref _lastMedia);

    /// <summary>Timestamp of the last accepted packet of any kind (media or STUN), 0 when none.</summary>
    public long LastPacket => Math.Max(Volatile.Read(ref _lastMedia), Volatile.Read(ref _lastStun));

    public long FirstMediaTicks => Volatile.Read(ref _firstMediaTicks);

    public int FirstPayloadType => Volatile.Read(ref _firstPayloadType);

    /// <summary>The seed's got_data: admit or drop by source, then relay STUN or media to the other side.</summary>
    public void OnPacket(ReadOnlySpan<byte> packet, SocketAddress source)
    {
        if (_subStream.Ended)
        {
            _errors++;
            return;
        }

        var kind = PacketClassifier.Classify(packet);
        // RTP never arrives on an RTCP port (a muxing party sends RTCP on its RTP port, not the reverse): a datagram
        // that only looks like RTP there is garbage and must not latch the port (issue 13, finding 4).
        if (kind == PacketKind.Invalid || (kind == PacketKind.Rtp && _subStream.IsRtcp))
        {
            _errors++;
            return;
        }

        var now = _time.GetTimestamp();
        if (!Admit(source, now, PacketClassifier.MayLatch(kind, packet)))
        {
            _errors++;
            return;
        }

        if (kind == PacketKind.Stun)
        {
            Volatile.Write(ref _lastStun, now);
            _stun++;
            _subStream.RelayStun(this, packet, now);
            return;
        }

        _packets++;
        _bytes += packet.Length;
        Volatile.Write(ref _lastMedia, now);
        if (!_hasSentMedia)
        {
            OnFirstMedia(packet, kind, now);
        }

        // Quality from the packets themselves: RTP sequence and timing, RTCP reports (issue 13). No allocation.
        if (kind == PacketKind.Rtp)
        {
            _quality.OnRtp(packet, now, _time.TimestampFrequency);
        }
        else if (kind == PacketKind.Rtcp)
        {
            _quality.OnRtcp(packet, now, _time.TimestampFrequency);
        }

        if (!_subStream.Relay(this, packet, kind))
        {
            _errors++;
        }
    }

    /// <summary>Counts a packet this side could not deliver (no destination, or the kernel refused it).</summary>
    public void CountDropped() => _errors++;

    /// <summary>
    /// Applies signalling for this party (control thread). A changed SDP address makes a learned remote obsolete:
    /// packets from it are still accepted until a new source takes over (grace re-learn, DESIGN 3.2). An SDP
    /// address the destination policy refuses is kept for matching sources but never sent to; its verdict is
    /// returned (Allowed when there is none).
    /// </summary>
    public DestinationVerdict ApplySignalling(SocketAddress? sdpRemote, SocketAddress? signallingIp, bool addressChanged, bool rtcpMux,
        bool otherPhone = false)
    {
        var now = _time.GetTimestamp();
        RtcpMux = rtcpMux;
        var verdict = sdpRemote is null ? DestinationVerdict.Allowed : _destinations.Check(sdpRemote);
        Volatile.Write(ref _sdpRemote, sdpRemote);
        Volatile.Write(ref _sdpDestination, verdict == DestinationVerdict.Allowed ? sdpRemote : null);
        Volatile.Write(ref _signallingIp, signallingIp);
        ArmLatchWindow();
        if (otherPhone)
        {
            // Another branch of a forked call answered: the phone learned so far is not this party any more; the
            // new one goes to the kernel only once it has sent media itself.
            _hasSentMedia = false;
            Forget();
        }
        else if (addressChanged && Volatile.Read(ref _remote) is not null)
        {
            Volatile.Write(ref _relearnUntil, now + _time.Ticks(_options.RelearnWindow));
            _obsolete = true;
        }

        return verdict;
    }

    /// <summary>
    /// Opens the anti-hijack window (DESIGN 3.2) from now. Signalling from either party opens it on both: the caller
    /// starts sending only when the answer reaches it, long after its own offer.
    /// </summary>
    public void ArmLatchWindow() => Volatile.Write(ref _latchUntil, _time.GetTimestamp() + _time.Ticks(_options.LatchWindow));

    /// <summary>
    /// The obsolete mark ends when the old source kept sending past the re-learn window. In user space its own
    /// packets show it (see Admit); a kernel-forwarded source is seen only in its flow's counters, read by the
    /// kernel worker: growth after the window clears the mark too (sweep and Admit call this).
    /// </summary>
    public void RefreshObsolete(long now)
    {
        var until = Volatile.Read(ref _relearnUntil);
        if (_obsolete && now > until && _subStream.KernelSentAfter(Role, until))
        {
            EndObsolete();
        }
    }

    /// <summary>The old address is firm again: its directions may go (back) to the kernel.</summary>
    private void EndObsolete()
    {
        _obsolete = false;
        _subStream.Recheck(this);
    }

    /// <summary>Forgets the learned remote (RTCP silence, DESIGN 3.1); the next packet teaches it again.</summary>
    public void Forget()
    {
        Volatile.Write(ref _remote, null);
        _obsolete = false;
        _subStream.OnForgotten();
    }

    /// <summary>
    /// Packets its port dropped because no sub-party was attached: counted by the listener while this call holds the
    /// port, frozen when the stream ends (the port may then be kept bound for, and taken by, another call).
    /// </summary>
    private long Unattached
    {
        get
        {
            var frozen = Volatile.Read(ref _unattachedAtEnd);
            return frozen >= 0 ? frozen : Listener.Unattached;
        }
    }

    /// <summary>The stream ends: from now on <see cref="Unattached"/> keeps the figure it has.</summary>
    public void FreezeUnattached()
    {
        if (Volatile.Read(ref _unattachedAtEnd) < 0)
        {
            Volatile.Write(ref _unattachedAtEnd, Listener.Unattached);
        }
    }

    /// <summary>The counters <see cref="Snapshot"/> reports, added to <paramref name="tally"/>.</summary>
    public void AddTo(LiveTally tally, long kernelPackets, long kernelBytes) =>
        tally.AddFlow(Volatile.Read(ref _packets), Volatile.Read(ref _bytes), kernelPackets, kernelBytes,
            Volatile.Read(ref _errors) + Unattached);

    public SubPartyStatistics Snapshot(long kernelPackets, long kernelBytes)
    {
        var remote = Remote;
        var sdp = Volatile.Read(ref _sdpRemote);
        return new SubPartyStatistics(
            Listener.LocalEndPoint,
            remote is null ? null : SocketAddresses.ToEndPoint(remote),
            sdp is null ? null : SocketAddresses.ToEndPoint(sdp),
            Volatile.Read(ref _packets),
            Volatile.Read(ref _bytes),
            Volatile.Read(ref _errors) + Unattached,
            Volatile.Read(ref _stun),
            kernelPackets,
            kernelBytes);
    }

    /// <summary>
    /// The seed's admission rule, hardened (issue 15): the learned remote is accepted; any other source is learned
    /// only when the relay could send back to it (never one of its own sockets, so no loop) and, for RTCP, only
    /// from the IP its RTP flow learned. Before anything is learned the first allowed source wins; a learned remote
    /// is replaced only (a) within the latch window by a source matching the signalling when the remote does not,
    /// (b) after new SDP (obsolete) by a source matching the new SDP or signalling address, or by any source once
    /// the old one has been silent for <see cref="RelayOptions.RelearnSilence"/>, or (c) for RTCP latched on another
    /// IP before RTP learned, by a source on RTP's IP.
    /// </summary>
    private bool Admit(SocketAddress source, long now, bool mayLatch)
    {
        var remote = Volatile.Read(ref _remote);
        if (_options.StrictSource)
        {
            var sdp = Volatile.Read(ref _sdpDestination);
            if (sdp is null || !sdp.Equals(source))
            {
                return false;
            }

            if (remote is null || !remote.Equals(source))
            {
                Learn(source);
            }

            return true;
        }

        if (remote is not null && remote.Equals(source))
        {
            // The obsolete address kept sending past the re-learn window: its NAT mapping did not change.
            if (_obsolete && now > Volatile.Read(ref _relearnUntil))
            {
                EndObsolete();
            }

            // An RTCP latch whose IP is not the one RTP learned since is no longer the party (finding 6).
            return RtpSibling is null || RtcpSourceAllowed(source);
        }

        if (!mayLatch || !RtcpSourceAllowed(source) || !_destinations.Allows(source))
        {
            return false;
        }

        if (remote is null || (RtpSibling is not null && !RtcpSourceAllowed(remote)))
        {
            Learn(source);
            return true;
        }

        RefreshObsolete(now);

        // A kernel-forwarded source is never seen here: its kernel counters tell whether it still talks.
        if (_obsolete && (MatchesSignalled(source)
            || now - Math.Max(LastPacket, _subStream.KernelLastActive(Role)) >= _time.Ticks(_options.RelearnSilence)))
        {
            Learn(source);
            return true;
        }

        // Anti-hijack: shortly after signalling, a source that matches the SDP or SIP source address takes over
        // one that does not; no other source ever replaces a learned remote.
        if (now <= Volatile.Read(ref _latchUntil) && MatchesSignalled(source) && !MatchesSignalled(remote))
        {
            Learn(source);
            return true;
        }

        return false;
    }

    private bool MatchesSignalled(SocketAddress address)
    {
        var sdp = Volatile.Read(ref _sdpRemote);
        if (sdp is not null && SocketAddresses.SameIp(sdp, address))
        {
            return true;
        }

        var signalling = Volatile.Read(ref _signallingIp);
        return signalling is not null && SocketAddresses.SameIp(signalling, address);
    }

    /// <summary>RTCP learns only from the IP that its party's RTP flow learned (DESIGN 3.2).</summary>
    private bool RtcpSourceAllowed(SocketAddress source)
    {
        var rtpRemote = RtpSibling?.Remote;
        return rtpRemote is null || SocketAddresses.SameIp(rtpRemote, source);
    }

    private void Learn(SocketAddress source)
    {
        Volatile.Write(ref _remote, SocketAddresses.Copy(source));
        _obsolete = false;
        _subStream.OnLearned(this);
    }

    private void OnFirstMedia(ReadOnlySpan<byte> packet, PacketKind kind, long now)
    {
        if (kind == PacketKind.Rtp && RtpHeader.TryRead(packet, out var header))
        {
            Volatile.Write(ref _firstPayloadType, header.PayloadType);
        }

        Volatile.Write(ref _firstMediaTicks, now);
        _hasSentMedia = true;
        _subStream.OnFirstMedia(this);
    }

    internal static SocketAddress? ToSocketAddress(IPEndPoint? endPoint, AddressFamily family) =>
        endPoint is null || endPoint.AddressFamily != family ? null : endPoint.Serialize();
}
