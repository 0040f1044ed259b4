using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Core.Forwarding;
using MediaRelay.Core.Net;
using MediaRelay.Core.Statistics;
using MediaRelay.Protocols.Rtp;

namespace MediaRelay.Core.Model;

/// <summary>
/// One audio, video or other stream (one m-line): two parties, and the RTP and RTCP sub-streams between them.
/// Liveness is per direction (DESIGN 3.3): the stream lives while RTP flows one way or the other.
/// Threading: control thread only, except the sub-streams' packet paths.
/// </summary>
internal sealed class MediaStream : IDisposable
{
    private readonly TimeProvider _time;
    private readonly RelayOptions _options;
    private long _lastSignal;
    private long _rtcpForgottenAt;

    public MediaStream(int index, string mediaType, MediaParty caller, MediaParty callee, TimeProvider time, RelayOptions options, KernelQueue kernel,
        MediaDestinationPolicy destinations)
    {
        Index = index;
        MediaType = mediaType;
        Caller = caller;
        Callee = callee;
        _time = time;
        _options = options;
        _lastSignal = time.GetTimestamp();
        caller.Quality.Other = callee.Quality;
        callee.Quality.Other = caller.Quality;
        caller.Quality.IsVideo = callee.Quality.IsVideo = mediaType == "video";
        Rtp = new MediaSubStream(false, caller, callee, time, options, kernel, destinations);
        Rtcp = new MediaSubStream(true, caller, callee, time, options, kernel, destinations);
        Rtcp.Caller.RtpSibling = Rtp.Caller;
        Rtcp.Callee.RtpSibling = Rtp.Callee;
        Rtp.Sibling = Rtcp;
        Rtcp.Sibling = Rtp;
        Rtp.Attach();
        Rtcp.Attach();
    }

    public int Index { get; }

    public string MediaType { get; }

    public MediaParty Caller { get; }

    public MediaParty Callee { get; }

    public MediaSubStream Rtp { get; }

    public MediaSubStream Rtcp { get; }

    public EndReason EndReason { get; private set; }

    public TimeSpan TimeoutWait { get; private set; }

    public bool Ended => EndReason != EndReason.None;

    /// <summary>Either party put the other on hold: sendonly, inactive, or the null connection address.</summary>
    public bool OnHold => Caller.Description?.IsHold == true || Callee.Description?.IsHold == true;

    /// <summary>Both parties offered ICE, so the relay may legitimately stay unused (DESIGN 3.3).</summary>
    public bool BothIce => Caller.Description?.IceOffered == true && Callee.Description?.IceOffered == true;

    public MediaParty Party(PartyRole role) => role == PartyRole.Caller ? Caller : Callee;

    /// <summary>
    /// Records one party's description. The same address and port keep everything; a changed one makes the
    /// learned remotes obsolete (grace re-learn). Packets may go to the SDP address until a remote is learned, unless
    /// the destination policy refuses it; the RTP destination's verdict is returned for the log.
    /// </summary>
    public DestinationVerdict UpdateParty(PartyRole role, MediaDescription description, IPAddress? signallingSource, bool otherPhone = false)
    {
        var party = Party(role);
        var previous = party.Description;
        var changed = previous is not null
            && (!previous.Address.Equals(description.Address) || previous.Port != description.Port);
        party.Description = description;
        party.Quality.ClockRates = description.ClockRates;
        _lastSignal = _time.GetTimestamp();

        var family = party.Address.AddressFamily;
        var signallingIp = signallingSource is null || signallingSource.AddressFamily != family
            ? null
            : new IPEndPoint(signallingSource, 0).Serialize();
        var rtp = Rtp.Side(role);
        var rtcp = Rtcp.Side(role);
        var verdict = rtp.ApplySignalling(MediaSubParty.ToSocketAddress(description.RtpEndPoint, family), signallingIp, changed, description.RtcpMux, otherPhone);
        rtcp.ApplySignalling(MediaSubParty.ToSocketAddress(description.RtcpEndPoint, family), signallingIp, changed, description.RtcpMux, otherPhone);
        Rtp.FlushStunTo(rtp);
        Rtcp.FlushStunTo(rtcp);
        var other = role == PartyRole.Caller ? PartyRole.Callee : PartyRole.Caller;
        Rtp.Side(other).ArmLatchWindow();
        Rtcp.Side(other).ArmLatchWindow();
        return verdict;
    }

    /// <summary>
    /// Sweep step: ends the stream when RTP was silent both ways for the timeout (on-hold timeout while on hold),
    /// and makes an RTCP flow that went silent forget its learned addresses. True when the stream ended now.
    /// <paramref name="nextCheck"/> is the earliest time a later sweep can find something to do here: packets only
    /// push it back, and signalling (which can change everything here) makes the session due again at once, so the
    /// sweep leaves the stream alone until then instead of walking every call every second.
    /// </summary>
    public bool CheckTimeout(long now, out long nextCheck)
    {
        nextCheck = long.MaxValue;
        if (Ended)
        {
            return false;
        }

        // Liveness is RTP in either direction (with rtcp-mux, RTCP arrives on the RTP flow too).
        var lastMedia = Math.Max(Math.Max(Rtp.Caller.LastMedia, Rtp.Callee.LastMedia), KernelActivity());
        var reference = Math.Max(lastMedia, _lastSignal);
        var silence = _time.GetElapsedTime(reference, now);

        // RTCP forwarded by the kernel is alive too (its flows' counters grew at the worker's last read).
        var lastRtcp = Math.Max(Math.Max(Rtcp.Caller.LastPacket, Rtcp.Callee.LastPacket), _rtcpForgottenAt);
        lastRtcp = Math.Max(lastRtcp, Math.Max(Rtcp.KernelLastActive(PartyRole.Caller), Rtcp.KernelLastActive(PartyRole.Callee)));
        var obsolete = false;
        foreach (var side in (ReadOnlySpan<MediaSubParty>)[Rtp.Caller, Rtp.Callee, Rtcp.Caller, Rtcp.Callee])
        {
            side.RefreshObsolete(now);
            obsolete |= side.IsObsolete;
        }

        if (lastRtcp > 0 && _time.GetElapsedTime(lastRtcp, now) >= _options.StreamTimeout
            && (Rtcp.Caller.Remote is not null || Rtcp.Callee.Remote is not null))
        {
            Rtcp.Caller.Forget();
            Rtcp.Callee.Forget();
            _rtcpForgottenAt = now;
        }

        var timeout = OnHold ? _options.OnHoldTimeout : _options.StreamTimeout;
        if (silence < timeout)
        {
            // An obsolete mark may end with the kernel's next read: every sweep. An RTCP address learned after now
            // can go silent no sooner than a stream timeout from now.
            nextCheck = obsolete ? now : Math.Min(reference + _time.Ticks(timeout), now + _time.Ticks(_options.StreamTimeout));
            if (lastRtcp > 0 && (Rtcp.Caller.Remote is not null || Rtcp.Callee.Remote is not null))
            {
                nextCheck = Math.Min(nextCheck, lastRtcp + _time.Ticks(_options.StreamTimeout));
            }

            return false;
        }

        var reason = OnHold ? EndReason.OnHoldTimeout : EndReason.NoTrafficTimeout;
        if (lastMedia == 0 && BothIce)
        {
            reason = EndReason.UnselectedIceCandidate;
        }

        End(reason, silence);
        return true;
    }

    /// <summary>
    /// Kernel-forwarded packets never reach user space; a growing kernel counter is activity too: until when either
    /// RTP direction may have been sending through the kernel, as of the kernel worker's last read (once a second),
    /// so the stream needs no sweep to notice it.
    /// </summary>
    private long KernelActivity() =>
        Math.Max(Rtp.KernelActivity(PartyRole.Caller), Rtp.KernelActivity(PartyRole.Callee));

    public void End(EndReason reason, TimeSpan timeoutWait)
    {
        if (Ended)
        {
            return;
        }

        EndReason = reason;
        TimeoutWait = timeoutWait;
        Rtp.End();
        Rtcp.End();

        // An ended stream keeps its counters but not its ports: a silent video m-line or one closed by a re-INVITE
        // must not hold four sockets for the rest of a long call.
        Caller.Dispose();
        Callee.Dispose();
    }

    public StreamStatistics Snapshot()
    {
        var first = FirstOf(Rtp.Caller.FirstMediaTicks, Rtp.Callee.FirstMediaTicks);
        var firstSide = first != 0 && first == Rtp.Callee.FirstMediaTicks ? Rtp.Callee : Rtp.Caller;
        var codecType = firstSide.FirstPayloadType >= 0 ? firstSide.FirstPayloadType : Rtp.Other(firstSide).FirstPayloadType;
        DateTimeOffset? firstMedia = first == 0
            ? null
            : _time.GetUtcNow() - _time.GetElapsedTime(first);
        var codec = codecType >= 0 ? RtpPayloadTypes.Name(codecType) : null;
        return new StreamStatistics(
            Index,
            MediaType,
            codec,
            firstMedia,
            EndReason,
            TimeoutWait,
            PartySnapshot(PartyRole.Caller, codec),
            PartySnapshot(PartyRole.Callee, codec))
        {
            Protocol = Caller.Description?.Protocol ?? Callee.Description?.Protocol ?? "RTP/AVP",
            OnHold = OnHold,
            KernelDirections = Rtp.KernelDirections + Rtcp.KernelDirections,
        };
    }

    /// <summary>Adds this stream's counters (as <see cref="Snapshot"/> has them) to <paramref name="tally"/>, allocating nothing.</summary>
    public void AddTo(LiveTally tally)
    {
        foreach (var role in (ReadOnlySpan<PartyRole>)[PartyRole.Caller, PartyRole.Callee])
        {
            var (rtpPackets, rtpBytes) = Rtp.KernelCounters(role);
            Rtp.Side(role).AddTo(tally, rtpPackets, rtpBytes);
            var (rtcpPackets, rtcpBytes) = Rtcp.KernelCounters(role);
            Rtcp.Side(role).AddTo(tally, rtcpPackets, rtcpBytes);
        }

        if (EndReason == EndReason.None)
        {
            tally.AddStream(MediaType, Rtp.KernelDirections + Rtcp.KernelDirections > 0);
        }
    }

    private PartyStatistics PartySnapshot(PartyRole role, string? codec)
    {
        var party = Party(role);
        var (rtpPackets, rtpBytes) = Rtp.KernelCounters(role);
        var (rtcpPackets, rtcpBytes) = Rtcp.KernelCounters(role);
        return new PartyStatistics(
            role,
            null,
            party.Description?.Direction ?? MediaDirection.SendRecv,
            Rtp.Side(role).Snapshot(rtpPackets, rtpBytes),
            Rtcp.Side(role).Snapshot(rtcpPackets, rtcpBytes))
        {
            Interface = party.Pool.Interface.Name,
            Advertised = party.Address,
            Quality = QualityOf(party, Party(role == PartyRole.Caller ? PartyRole.Callee : PartyRole.Caller), codec),
        };
    }

    private static QualityStatistics QualityOf(MediaParty party, MediaParty other, string? codec)
    {
        var sent = party.Quality.Sent;
        var reports = party.Quality.Reports;
        var expected = sent.Expected;
        var lossPercent = expected > 0 ? 100.0 * sent.Lost / expected : 0;
        double? reportedJitter = reports.Reports > 0 ? reports.JitterUnits * 1000.0 / other.Quality.ClockRate : null;
        double? rtt = reports.RoundTripMicroseconds is { } us ? us / 1000.0 : null;
        double? mos = null;
        var heard = other.Quality.Sent;
        if (heard.Expected > 0 || reports.Reports > 0)
        {
            // What this party hears: the other party's upstream leg, or this party's own report, whichever is worse.
            var heardLoss = Math.Max(heard.Expected > 0 ? 100.0 * heard.Lost / heard.Expected : 0, reports.FractionLostPercent ?? 0);
            var heardJitter = Math.Max(heard.JitterMilliseconds, reportedJitter ?? 0);
            double? roundTrip = rtt is null && other.Quality.Reports.RoundTripMicroseconds is null
                ? null
                : (rtt ?? 0) + ((other.Quality.Reports.RoundTripMicroseconds ?? 0) / 1000.0);
            mos = Quality.EModel.Mos(codec, heardLoss, heardJitter, roundTrip);
        }

        return new QualityStatistics(sent.Ssrc, expected, sent.Lost, lossPercent, sent.JitterMilliseconds,
            reports.FractionLostPercent, reports.CumulativeLost, reportedJitter, rtt, mos);
    }

    private static long FirstOf(long a, long b) => a == 0 ? b : b == 0 ? a : Math.Min(a, b);

    public void Dispose() => End(EndReason.Closed, TimeSpan.Zero);
}
