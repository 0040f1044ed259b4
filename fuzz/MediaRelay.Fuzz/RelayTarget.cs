using System.Buffers.Binary;
using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Core.Model;
using MediaRelay.Core.Statistics;
using MediaRelay.Protocols;
using MediaRelay.Protocols.Rtp;
using MediaRelay.Protocols.Stun;
using Microsoft.Extensions.Time.Testing;

namespace MediaRelay.Fuzz;

/// <summary>
/// The stateful target: the input is a program of operations (offers, answers, re-INVITEs with new addresses,
/// holds, single-stream offers, deletes, clock steps, and datagrams from the phones, from their IPs on other
/// ports, from strangers and from the relay's own and forbidden addresses) run against one call of a
/// <see cref="SessionManager"/> over a recording transport and a fake clock. After every operation it checks:
/// <list type="bullet">
/// <item>a datagram reaches a phone only from the source the relay has learned for that side, out of the port that
/// faces the receiver, to that receiver's learned or signalled address; a learned source changes only as the
/// anti-hijack rules allow (a stranger never takes over a live flow), and never to an address media may not go to;</item>
/// <item>the counters equal what was sent: per side, relayed plus dropped equals delivered; no other side's
/// counters move;</item>
/// <item>nothing throws.</item>
/// </list>
/// </summary>
public static class RelayTarget
{
    public static void Run(ReadOnlySpan<byte> input) => Execute(input.ToArray());

    /// <summary>What the last run on this thread did: operations, datagrams relayed, learned-source changes (for the replay's coverage checks).</summary>
    [ThreadStatic]
    private static RelayRunSummary t_last;

    public static RelayRunSummary Last => t_last;


    private static void Execute(byte[] input)
    {
        using var run = new RelayRun(input);
        try
        {
            run.Execute();
        }
        finally
        {
            t_last = run.Summary;
        }
    }
}

/// <summary>Operations run, datagrams relayed, and learned-source changes of one run.</summary>
public readonly record struct RelayRunSummary(int Operations, int Relayed, int Learned);

internal sealed class RelayRun : IDisposable
{
    private const string CallId = "fuzz-call";
    private const int MaxOperations = 96;
    private static readonly IPAddress Relay = IPAddress.Parse("203.0.113.1");
    private static readonly IPEndPoint Control = new(Relay, 2223);
    private static readonly IPNetwork Denied = IPNetwork.Parse("192.0.2.128/25");

    private static readonly IPAddress[] SourceIps =
    [
        IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.11"), IPAddress.Parse("10.0.0.2"), IPAddress.Parse("10.0.0.12"),
        IPAddress.Parse("198.51.100.1"), IPAddress.Parse("192.0.2.66"), IPAddress.Parse("192.0.2.77"), IPAddress.Parse("192.0.2.200"),
        Relay, IPAddress.Loopback, IPAddress.Any, IPAddress.Broadcast, IPAddress.Parse("224.0.0.1"),
    ];

    private static readonly int[] SourcePorts = [5000, 5001, 5002, 6000, 6001, 7000, 30000, 30001, 2223, 0];

    private static readonly IPAddress[] SdpIps =
    [
        IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2"), IPAddress.Parse("10.0.0.11"), IPAddress.Parse("10.0.0.12"),
        IPAddress.Any, IPAddress.Loopback, Relay, IPAddress.Parse("192.0.2.200"),
    ];

    private static readonly int[] SdpPorts = [0, 5000, 5002, 6000, 7000, 30000, 30002, 5000];

    private static readonly IPAddress?[] SignallingIps =
        [null, IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2"), IPAddress.Parse("198.51.100.1"), IPAddress.Parse("10.0.0.11")];

    private static readonly string[] Tags = ["A", "B", "C"];

    private static readonly TimeSpan[] Steps =
    [
        TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(1100), TimeSpan.FromSeconds(2.5),
        TimeSpan.FromSeconds(11), TimeSpan.FromSeconds(31), TimeSpan.FromSeconds(100), TimeSpan.FromMilliseconds(1),
    ];

    private readonly byte[] _input;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly RecordingTransport _transport = new();
    private readonly RelayOptions _options;
    private readonly SessionManager _manager;
    private readonly Dictionary<int, StreamModel> _streams = [];
    private int _position;
    private int _operations;
    private int _relayed;
    private int _learned;
    private SessionStatistics? _last;

    public RelayRun(byte[] input)
    {
        _input = input;
        _options = new RelayOptions
        {
            RelayAddress = Relay,
            PortMin = 30000,
            PortMax = 30015,
            StreamTimeout = TimeSpan.FromSeconds(30),
            OnHoldTimeout = TimeSpan.FromSeconds(90),
            MaxStreams = 4,
            StrictSource = (Next() & 0x80) != 0,
            ControlEndPoints = [Control],
            DenyMediaTo = [Denied],
        };
        _manager = new SessionManager(_options, _transport, _clock);
        _manager.SessionEnded += OnSessionEnded;
    }

    public RelayRunSummary Summary => new(_operations, _relayed, _learned);

    private static readonly bool Tracing = Environment.GetEnvironmentVariable("FUZZ_TRACE") == "1";

    private static void Trace(string line)
    {
        if (Tracing)
        {
            Console.Error.WriteLine(line);
        }
    }

    private bool Exhausted => _position >= _input.Length;

    private long Now => _clock.GetTimestamp();

    private byte Next() => _position < _input.Length ? _input[_position++] : (byte)0;

    private ushort Next16() => (ushort)((Next() << 8) | Next());

    public void Execute()
    {
        try
        {
            for (var operation = 0; operation < MaxOperations && !Exhausted; operation++)
            {
                var op = Next();
                _operations++;
                switch (op % 16)
                {
                    case 0 or 1:
                        Signal(offer: true, oneStream: false);
                        break;
                    case 2:
                        Signal(offer: false, oneStream: false);
                        break;
                    case 3:
                        Signal(offer: (op & 0x10) != 0, oneStream: true);
                        break;
                    case 4:
                        Advance(Steps[Next() % Steps.Length]);
                        break;
                    case 5 when (op & 0xF0) == 0xF0:
                        Delete();
                        break;
                    default:
                        Deliver();
                        break;
                }
            }
        }
        catch
        {
            // The first broken invariant is the finding: shutting down must not check (and mask it) again.
            _manager.SessionEnded -= OnSessionEnded;
            throw;
        }

        _manager.Dispose();
        FuzzInvariantException.Check(_transport.Bound.Count == 0, $"{_transport.Bound.Count} sockets still bound after shutdown");
        FuzzInvariantException.Check(_streams.Count == 0, "a session ended without its final statistics");
    }

    // ---- signalling --------------------------------------------------------------------------------------------

    private void Signal(bool offer, bool oneStream)
    {
        var fromTag = Tags[Next() % 3];
        var toChoice = Next() % 4;
        var toTag = toChoice == 3 ? null : Tags[toChoice];
        var index = oneStream ? Next() % 3 : 0;
        var count = oneStream ? 1 : Next() % 3;
        var media = new List<MediaDescription>(count);
        for (var i = 0; i < count; i++)
        {
            var flags = Next();
            var address = SdpIps[Next() % SdpIps.Length];
            var port = SdpPorts[Next() % SdpPorts.Length];
            media.Add(new MediaDescription(
                (flags & 1) != 0 ? "video" : "audio",
                address,
                port,
                (MediaDirection)((flags >> 1) & 3),
                IceOffered: (flags & 0x10) != 0,
                RtcpMux: (flags & 8) != 0,
                RtcpPort: (flags & 0x20) != 0 ? port + 3 : null));
        }

        var signalling = SignallingIps[Next() % SignallingIps.Length];
        var before = _last;
        var role = offer ? OffererRole(before, fromTag, toTag) : AnswererRole(before, toTag ?? string.Empty);
        var otherBranch = !offer && role == PartyRole.Callee && before?.CalleeTag is { } calleeTag && calleeTag != (toTag ?? string.Empty);
        var sendsBefore = _transport.Sends.Count;

        SessionError error;
        if (oneStream)
        {
            error = offer
                ? _manager.OfferStream(CallId, fromTag, toTag, index, media[0], signalling, out _)
                : _manager.AnswerStream(CallId, fromTag, toTag ?? string.Empty, index, media[0], signalling, out _);
        }
        else
        {
            error = offer
                ? _manager.Offer(CallId, fromTag, toTag, media, signalling, out _)
                : _manager.Answer(CallId, fromTag, toTag ?? string.Empty, media, signalling, out _);
        }

        Trace($"{(offer ? "offer" : "answer")}{(oneStream ? $" stream {index}" : "")} from {fromTag} to {toTag ?? "-"} as {role}{(otherBranch ? " (other branch)" : "")}: " +
            $"{string.Join(", ", media.Select(m => $"{m.MediaType} {m.Address}:{m.Port} {m.Direction}{(m.RtcpMux ? " mux" : "")}{(m.RtcpPort is { } r ? $" rtcp {r}" : "")}"))} via {signalling?.ToString() ?? "-"} -> {error}");
        var after = Snapshot();
        var sends = _transport.Sends.GetRange(sendsBefore, _transport.Sends.Count - sendsBefore);
        _transport.Sends.RemoveRange(sendsBefore, sends.Count);
        if (error != SessionError.None)
        {
            FuzzInvariantException.Check(sends.Count == 0, $"refused signalling ({error}) sent {sends.Count} datagrams");
            CheckUnchanged(before, after, "refused signalling");
            return;
        }

        // Every stream the signalling touched: UpdateParty on the role's sides (flushes queued STUN, arms the latch
        // window, marks a learned remote obsolete when the address moved, forgets another branch's phone).
        var flushes = new List<RecordingTransport.Sent>(sends);
        for (var i = 0; i < media.Count; i++)
        {
            var streamIndex = index + i;
            var description = media[i];
            if (description.Port == 0 || !_streams.TryGetValue(streamIndex, out var stream) || stream.Ended)
            {
                continue;
            }

            var party = stream.Party(role);
            var changed = party.Description is { } previous && (!previous.Address.Equals(description.Address) || previous.Port != description.Port);
            party.Description = description;
            party.Signalling = signalling;
            foreach (var side in (ReadOnlySpan<SideModel>)[party.Rtp, party.Rtcp])
            {
                var stats = stream.Stats(after!, side);
                if (otherBranch)
                {
                    FuzzInvariantException.Check(stats.LearnedRemote is null, "another branch's answer kept the first phone's learned address");
                    side.Forgotten();
                }
                else if (changed && stats.LearnedRemote is not null)
                {
                    side.ResignalledSinceLearn = true;
                }

                Flush(stream, side, stats, flushes);
            }
        }

        FuzzInvariantException.Check(flushes.Count == 0, $"signalling sent {flushes.Count} datagrams that no queued STUN explains");
        CheckGlobal(after);
    }

    /// <summary>As the session does: an offer that names a to-tag first gives the call its callee tag, then the from-tag picks the role.</summary>
    private static PartyRole OffererRole(SessionStatistics? session, string fromTag, string? toTag)
    {
        if (session is null)
        {
            return PartyRole.Caller;
        }

        var callee = session.CalleeTag ?? (toTag is not null && toTag != session.CallerTag ? toTag : null);
        return callee is not null && fromTag == callee && fromTag != session.CallerTag ? PartyRole.Callee : PartyRole.Caller;
    }

    private static PartyRole AnswererRole(SessionStatistics? session, string toTag) =>
        session is { CalleeTag: not null } && toTag == session.CallerTag ? PartyRole.Caller : PartyRole.Callee;

    /// <summary>STUN queued for a side goes when it has a destination: the fresh packets, in order; the queue empties.</summary>
    private void Flush(StreamModel stream, SideModel side, SubPartyStatistics stats, List<RecordingTransport.Sent> sends)
    {
        var destination = DestinationOf(stats);
        if (side.Queue.Count == 0 || destination is null)
        {
            return;
        }

        foreach (var (data, queuedAt) in side.Queue)
        {
            if (Now - queuedAt > Ticks(_options.StunQueueTime))
            {
                continue;
            }

            var sent = sends.FindIndex(s => s.FromPort == stats.Local.Port);
            FuzzInvariantException.Check(sent >= 0, $"queued STUN for stream {stream.Index} port {stats.Local.Port} was not sent to {destination}");
            FuzzInvariantException.Check(sends[sent].Data.AsSpan().SequenceEqual(data), "queued STUN went out changed or out of order");
            FuzzInvariantException.Check(sends[sent].To.Equals(destination), $"queued STUN went to {sends[sent].To}, not {destination}");
            sends.RemoveAt(sent);
        }

        side.Queue.Clear();
    }

    private void Delete()
    {
        var later = (Next() & 1) != 0;
        var before = _last;
        Trace(later ? "delete later" : "delete");
        var statistics = later ? _manager.RemoveLater(CallId, Steps[Next() % Steps.Length]) : _manager.Remove(CallId);
        FuzzInvariantException.Check((statistics is null) == (before is null), "delete of a call that does (not) exist");
        FuzzInvariantException.Check(_transport.Sends.Count == 0, "delete sent datagrams");
        CheckGlobal(Snapshot());
    }

    private void Advance(TimeSpan step)
    {
        var before = _last;
        Trace($"advance {step.TotalMilliseconds} ms");
        _clock.Advance(step);
        FuzzInvariantException.Check(_transport.Sends.Count == 0, "the clock alone sent datagrams");
        var after = Snapshot();
        if (before is not null && after is not null)
        {
            // The sweep may end streams and make RTCP forget; it never learns and never counts.
            foreach (var stream in _streams.Values)
            {
                foreach (var side in stream.Sides)
                {
                    var was = stream.StatsOrNull(before, side);
                    var now = stream.Stats(after, side);
                    if (was is null)
                    {
                        continue;
                    }

                    FuzzInvariantException.Check(SameCounters(was, now), "the sweep changed counters");
                    FuzzInvariantException.Check(now.LearnedRemote is null || now.LearnedRemote.Equals(was.LearnedRemote), "the sweep learned an address");
                    if (was.LearnedRemote is not null && now.LearnedRemote is null)
                    {
                        side.Forgotten();
                    }
                }
            }
        }

        CheckGlobal(after);
    }

    // ---- packets -----------------------------------------------------------------------------------------------

    private void Deliver()
    {
        DeliverOne();
        CheckGlobal(_last);
    }

    private void DeliverOne()
    {
        var before = _last;
        var live = _streams.Values.Where(s => !s.Ended).OrderBy(s => s.Index).ToList();
        var packet = BuildPacket();
        if (before is null || live.Count == 0)
        {
            Next();
            Next();
            return;
        }

        var pick = Next();
        var stream = live[pick % live.Count];
        var side = stream.Sides[(pick / live.Count) % 4];
        var stats = stream.Stats(before, side);
        var source = PickSource(stats, stream.Party(side.Role));
        var kind = PacketClassifier.Classify(packet);

        _transport.Bound[stats.Local.Port].Receiver.OnPacket(packet, source.Serialize());
        var sends = _transport.Sends.ToList();
        Trace($"{kind} ({packet.Length} bytes) from {source} to stream {stream.Index} {side.Role} {(side.IsRtcp ? "RTCP" : "RTP")} port {stats.Local.Port}: " +
            $"sent {string.Join(", ", sends.Select(x => $"{x.FromPort}->{x.To}"))}");
        _transport.Sends.Clear();
        var after = Snapshot();
        FuzzInvariantException.Check(after is not null, "a datagram ended the call");
        var now = stream.Stats(after!, side);
        side.Delivered++;

        var dPackets = now.Packets - stats.Packets;
        var dStun = now.StunPackets - stats.StunPackets;
        var dErrors = now.Errors - stats.Errors;
        var admitted = dPackets + dStun;
        FuzzInvariantException.Check(dPackets >= 0 && dStun >= 0 && dErrors >= 0 && admitted <= 1 && dErrors <= 1 && admitted + dErrors >= 1,
            $"one datagram moved the counters by packets {dPackets}, STUN {dStun}, errors {dErrors}");
        var garbage = kind == PacketKind.Invalid || (kind == PacketKind.Rtp && side.IsRtcp);
        FuzzInvariantException.Check(!garbage || admitted == 0, $"a {kind} datagram that is garbage on this port was taken");
        FuzzInvariantException.Check(dStun == 0 || kind == PacketKind.Stun, "non-STUN counted as STUN");
        FuzzInvariantException.Check(dPackets == 0 || kind is PacketKind.Rtp or PacketKind.Rtcp or PacketKind.Dtls, $"{kind} counted as media");

        // Who learned what: the receiving side may learn the source; the same party's RTCP side may forget.
        var learnedBefore = stats.LearnedRemote;
        var learnedAfter = now.LearnedRemote;
        if (admitted == 1)
        {
            FuzzInvariantException.Check(source.Equals(learnedAfter), $"a datagram from {source} was taken while the learned source is {learnedAfter?.ToString() ?? "none"}");
            side.LastAccepted = Now;
            if (_options.StrictSource)
            {
                FuzzInvariantException.Check(source.Equals(stats.SdpRemote) && Allowed(source), $"strict source took {source}, SDP says {stats.SdpRemote}");
            }
        }

        if (!Equals(learnedBefore, learnedAfter))
        {
            FuzzInvariantException.Check(admitted == 1, "a dropped datagram changed the learned source");
            CheckLatch(stream, side, stats, learnedBefore, source, packet, kind, before, after!);
            side.ResignalledSinceLearn = false;
            _learned++;
        }

        foreach (var other in stream.Sides)
        {
            if (other == side)
            {
                continue;
            }

            var was = stream.Stats(before, other);
            var is_ = stream.Stats(after!, other);
            FuzzInvariantException.Check(SameCounters(was, is_), "a datagram to one side moved another side's counters");
            if (!Equals(was.LearnedRemote, is_.LearnedRemote))
            {
                var forgetsRtcp = !side.IsRtcp && other.IsRtcp && other.Role == side.Role && is_.LearnedRemote is null && !Equals(learnedBefore, learnedAfter);
                FuzzInvariantException.Check(forgetsRtcp, "a datagram to one side changed another side's learned source");
                other.Forgotten();
            }
        }

        foreach (var s in _streams.Values)
        {
            if (s != stream)
            {
                foreach (var other in s.Sides)
                {
                    FuzzInvariantException.Check(SameCounters(s.Stats(before, other), s.Stats(after!, other)), "a datagram moved another stream's counters");
                }
            }
        }

        // Sends out of the receiving side's own port are STUN queued for it, flushed because it just learned.
        var own = sends.Where(s => s.FromPort == stats.Local.Port).ToList();
        if (own.Count > 0 || !Equals(learnedBefore, learnedAfter))
        {
            if (!Equals(learnedBefore, learnedAfter))
            {
                Flush(stream, side, now, own);
            }

            FuzzInvariantException.Check(own.Count == 0, "datagrams left the receiving port that no queued STUN explains");
        }

        var relayed = sends.Where(s => s.FromPort != stats.Local.Port).ToList();
        FuzzInvariantException.Check(relayed.Count <= 1, $"one datagram was sent {relayed.Count} times");
        if (admitted == 0)
        {
            FuzzInvariantException.Check(relayed.Count == 0, $"a dropped datagram from {source} reached {relayed.FirstOrDefault().To}");
            return;
        }

        var candidates = Targets(stream, side, kind);
        if (relayed.Count == 1)
        {
            var sent = relayed[0];
            FuzzInvariantException.Check(sent.Data.AsSpan().SequenceEqual(packet), "a relayed datagram changed");
            var target = candidates.FirstOrDefault(c => stream.Stats(after!, c).Local.Port == sent.FromPort);
            FuzzInvariantException.Check(target is not null, $"a {kind} datagram left port {sent.FromPort}, which does not face the other party");
            var destination = DestinationOf(stream.Stats(after!, target!));
            FuzzInvariantException.Check(sent.To.Equals(destination), $"relayed to {sent.To}, but that side's destination is {destination?.ToString() ?? "none"}");
            FuzzInvariantException.Check(Allowed(sent.To), $"relayed to {sent.To}, where media may not go");
            FuzzInvariantException.Check(dErrors == 0, "a relayed datagram was also counted as an error");
            _relayed++;
            return;
        }

        // Taken but not sent: the receiver had no destination; STUN waits in its queue (or is dropped when full).
        var target0 = candidates[0];
        FuzzInvariantException.Check(DestinationOf(stream.Stats(after!, target0)) is null, $"a {kind} datagram was taken but not sent to {DestinationOf(stream.Stats(after!, target0))}");
        if (kind == PacketKind.Stun)
        {
            var full = target0.Queue.Count >= 8 || packet.Length > 1500;
            FuzzInvariantException.Check(dErrors == (full ? 1 : 0), $"STUN queue: errors {dErrors} with {target0.Queue.Count} queued, length {packet.Length}");
            if (full)
            {
                side.Failures++;
            }
            else
            {
                target0.Queue.Add((packet, Now));
            }
        }
        else
        {
            FuzzInvariantException.Check(dErrors == 1, "media taken and not sent was not counted as an error");
            side.Failures++;
        }
    }

    /// <summary>
    /// The anti-hijack rules as conditions that must hold when a side's learned source changes from
    /// <paramref name="previous"/> to <paramref name="source"/>. A stranger (an IP no signalling named) can only
    /// take a side that knew nobody, or one whose party signalled a new address and then went quiet.
    /// </summary>
    private void CheckLatch(StreamModel stream, SideModel side, SubPartyStatistics stats, IPEndPoint? previous, IPEndPoint source,
        byte[] packet, PacketKind kind, SessionStatistics before, SessionStatistics after)
    {
        FuzzInvariantException.Check(Allowed(source), $"learned {source}, where media may not go");
        if (_options.StrictSource)
        {
            // Strict source admits the SDP address only (checked when the datagram was taken): learning it changes
            // no destination, so neither the packet kind nor RTP's IP matters.
            return;
        }

        FuzzInvariantException.Check(PacketClassifier.MayLatch(kind, packet), "a datagram that may not latch was learned");
        var rtpSibling = stream.Sides[side.Role == PartyRole.Caller ? 0 : 2];
        if (side.IsRtcp)
        {
            var rtpLearned = stream.Stats(after, rtpSibling).LearnedRemote;
            FuzzInvariantException.Check(rtpLearned is null || rtpLearned.Address.Equals(source.Address),
                $"RTCP learned {source} while RTP learned {rtpLearned}");
        }

        if (previous is null)
        {
            return;
        }

        var party = stream.Party(side.Role);
        var rtcpOffIp = side.IsRtcp && stream.Stats(before, rtpSibling).LearnedRemote is { } rtp && !rtp.Address.Equals(previous.Address);
        var signalled = Signalled(stats, party, source);
        var quiet = side.ResignalledSinceLearn && Now - side.LastAcceptedBefore >= Ticks(_options.RelearnSilence);
        FuzzInvariantException.Check(rtcpOffIp || signalled || quiet,
            $"{source} took over {(side.IsRtcp ? "RTCP" : "RTP")} of the {side.Role} from {previous}: not signalled, the learned source neither moved nor went quiet");
    }

    private static bool Signalled(SubPartyStatistics stats, PartyModel party, IPEndPoint source) =>
        (stats.SdpRemote is { } sdp && sdp.Address.Equals(source.Address))
        || (party.Signalling is { } ip && ip.Equals(source.Address));

    /// <summary>Where a datagram from <paramref name="side"/> may be relayed: the other party's side of the same flow, and for RTCP also the other flow (RFC 5761).</summary>
    private static List<SideModel> Targets(StreamModel stream, SideModel side, PacketKind kind)
    {
        var other = side.Role == PartyRole.Caller ? PartyRole.Callee : PartyRole.Caller;
        var party = stream.Party(other);
        var same = side.IsRtcp ? party.Rtcp : party.Rtp;
        if (kind != PacketKind.Rtcp)
        {
            return [same];
        }

        // RelayStun and media use the same flow, except RTCP, which crosses to the flow the receiver expects it on.
        var crosses = (party.Description?.RtcpMux ?? false) == side.IsRtcp;
        return crosses ? [side.IsRtcp ? party.Rtp : party.Rtcp] : [same];
    }

    private IPEndPoint PickSource(SubPartyStatistics stats, PartyModel party)
    {
        var choice = Next();
        var portChoice = Next();
        var port = portChoice < 200 ? SourcePorts[portChoice % SourcePorts.Length] : 1024 + (portChoice * 97);
        return (choice % 17) switch
        {
            13 when stats.SdpRemote is { } sdp => sdp,
            14 when stats.LearnedRemote is { } learned => learned,
            15 when stats.LearnedRemote is { } learned => new IPEndPoint(learned.Address, port),
            16 when party.Description is { } description => new IPEndPoint(description.Address, port),
            var i => new IPEndPoint(SourceIps[i % SourceIps.Length], port),
        };
    }

    private byte[] BuildPacket()
    {
        var shape = Next();
        var size = Next();
        switch (shape % 8)
        {
            case 0:
                {
                    var packet = new byte[RtpHeader.FixedSize + (size % 48)];
                    RtpHeader.TryWrite(packet, (byte)(Next() & 0x7F), false, Next16(), 160, 0x1234);
                    if ((shape & 0x80) != 0 && packet.Length >= 16)
                    {
                        packet[0] |= 0x10; // extension: its length word may overrun
                        packet[15] = Next();
                    }

                    return packet;
                }

            case 1:
                {
                    var words = 1 + (size % 8);
                    var packet = new byte[(words + 1) * 4];
                    packet[0] = (byte)(0x80 | ((shape & 0x80) != 0 ? 1 : 0));
                    packet[1] = (shape & 0x40) != 0 ? (byte)200 : (byte)201;
                    BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)((shape & 0x20) != 0 ? words + 1 : words));
                    return packet;
                }

            case 2:
                {
                    var extra = (shape & 0x80) != 0 ? 1484 : 4 * (size % 8);
                    var packet = new byte[StunMessage.HeaderSize + extra];
                    Span<byte> transaction = stackalloc byte[12];
                    transaction[0] = Next();
                    StunMessage.TryWriteBindingRequest(packet, transaction);
                    BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)extra);
                    return packet;
                }

            case 3:
                {
                    var packet = new byte[13 + (size % 32)];
                    packet[0] = 22;
                    packet[1] = 0xFE;
                    packet[2] = 0xFD;
                    BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(11), (ushort)(packet.Length - 13 + ((shape & 0x80) != 0 ? 1 : 0)));
                    return packet;
                }

            case 4:
                {
                    var packet = new byte[13 + (size % 32)];
                    packet[0] = (byte)(32 + (shape % 32));
                    return packet;
                }

            default:
                {
                    var packet = new byte[size % 48];
                    for (var i = 0; i < packet.Length; i++)
                    {
                        packet[i] = Next();
                    }

                    if (packet.Length > 0 && (shape & 0x80) != 0)
                    {
                        packet[0] = (byte)(0x80 | (packet[0] & 0x3F));
                    }

                    return packet;
                }
        }
    }

    // ---- checks --------------------------------------------------------------------------------------------------

    /// <summary>Takes the call's statistics and follows its streams: a new stream (new m-line, new media type, or replacing an ended one) starts from zero.</summary>
    private SessionStatistics? Snapshot()
    {
        var session = _manager.Query(CallId);
        _last = session;
        if (session is null)
        {
            FuzzInvariantException.Check(_streams.Count == 0, "a call vanished without its final statistics");
            return null;
        }

        foreach (var stats in session.Streams)
        {
            var ports = (stats.Caller.Rtp.Local.Port, stats.Caller.Rtcp.Local.Port, stats.Callee.Rtp.Local.Port, stats.Callee.Rtcp.Local.Port);
            if (!_streams.TryGetValue(stats.Index, out var model) || model.Ports != ports || model.MediaType != stats.MediaType
                || (model.Ended && stats.EndReason == EndReason.None))
            {
                model = new StreamModel(stats.Index, stats.MediaType, ports);
                _streams[stats.Index] = model;
                foreach (var side in model.Sides)
                {
                    var s = model.Stats(session, side);
                    FuzzInvariantException.Check(s.Packets == 0 && s.Errors == 0 && s.StunPackets == 0 && s.LearnedRemote is null,
                        "a new stream does not start from zero");
                }
            }

            model.Ended = stats.EndReason != EndReason.None;
        }

        return session;
    }

    /// <summary>Holds after every operation: counters add up, learned sources are sound, RTP and RTCP of a party agree on the IP.</summary>
    private void CheckGlobal(SessionStatistics? session)
    {
        if (session is null)
        {
            return;
        }

        foreach (var stream in _streams.Values)
        {
            CheckCounters(stream, session);
            for (var role = 0; role < 2; role++)
            {
                var rtp = stream.Stats(session, stream.Sides[role * 2]).LearnedRemote;
                var rtcp = stream.Stats(session, stream.Sides[(role * 2) + 1]).LearnedRemote;
                FuzzInvariantException.Check(_options.StrictSource || rtp is null || rtcp is null || rtp.Address.Equals(rtcp.Address),
                    $"stream {stream.Index}: RTP learned {rtp}, RTCP learned {rtcp}");
            }

            foreach (var side in stream.Sides)
            {
                var learned = stream.Stats(session, side).LearnedRemote;
                FuzzInvariantException.Check(learned is null || Allowed(learned), $"learned {learned}, where media may not go");
            }
        }
    }

    /// <summary>Per side: relayed plus dropped equals delivered (taken-but-unsendable datagrams count once as taken, once as dropped).</summary>
    private static void CheckCounters(StreamModel stream, SessionStatistics session)
    {
        foreach (var side in stream.Sides)
        {
            var s = stream.Stats(session, side);
            FuzzInvariantException.Check(s.Packets + s.StunPackets + s.Errors == side.Delivered + side.Failures,
                $"stream {stream.Index} {side.Role} {(side.IsRtcp ? "RTCP" : "RTP")}: packets {s.Packets} + STUN {s.StunPackets} + errors {s.Errors}, " +
                $"but {side.Delivered} delivered and {side.Failures} taken but not sendable");
            FuzzInvariantException.Check(s.KernelPackets == 0, "kernel counters without a kernel");
        }
    }

    private void CheckUnchanged(SessionStatistics? before, SessionStatistics? after, string what)
    {
        FuzzInvariantException.Check((before is null) == (after is null), $"{what} created or ended the call");
        if (before is null || after is null)
        {
            return;
        }

        foreach (var stream in _streams.Values)
        {
            foreach (var side in stream.Sides)
            {
                var was = stream.StatsOrNull(before, side);
                var now = stream.StatsOrNull(after, side);
                FuzzInvariantException.Check(was is null || (now is not null && SameCounters(was, now) && Equals(was.LearnedRemote, now.LearnedRemote)),
                    $"{what} changed a stream");
            }
        }
    }

    private void OnSessionEnded(SessionStatistics final)
    {
        foreach (var stream in _streams.Values)
        {
            CheckCounters(stream, final);
        }

        _streams.Clear();
    }

    private static bool SameCounters(SubPartyStatistics a, SubPartyStatistics b) =>
        a.Packets == b.Packets && a.Errors == b.Errors && a.StunPackets == b.StunPackets && a.Bytes == b.Bytes;

    /// <summary>Where the relay sends what is meant for a side: its learned source, else its SDP address if media may go there.</summary>
    private static IPEndPoint? DestinationOf(SubPartyStatistics stats) =>
        stats.LearnedRemote ?? (stats.SdpRemote is { } sdp && Allowed(sdp) ? sdp : null);

    /// <summary>Where media may go, written out from the rules (not the relay's code): no relay socket, control port, loopback, nowhere, multicast, broadcast or denied range.</summary>
    private static bool Allowed(IPEndPoint endPoint)
    {
        var bytes = endPoint.Address.GetAddressBytes();
        return endPoint.Port != 0 && bytes[0] != 0 && bytes[0] is < 224 or > 239 && !endPoint.Address.Equals(IPAddress.Broadcast)
            && bytes[0] != 127 && !(endPoint.Address.Equals(Relay) && (endPoint.Port is >= 30000 and <= 30015 || endPoint.Port == Control.Port))
            && !Denied.Contains(endPoint.Address);
    }

    public void Dispose() => _manager.Dispose();

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _clock.TimestampFrequency);

    private sealed class PartyModel(SideModel rtp, SideModel rtcp)
    {
        public SideModel Rtp { get; } = rtp;

        public SideModel Rtcp { get; } = rtcp;

        public MediaDescription? Description { get; set; }

        public IPAddress? Signalling { get; set; }
    }

    private sealed class StreamModel
    {
        public StreamModel(int index, string mediaType, (int, int, int, int) ports)
        {
            Index = index;
            MediaType = mediaType;
            Ports = ports;
            Sides = [new(PartyRole.Caller, false), new(PartyRole.Caller, true), new(PartyRole.Callee, false), new(PartyRole.Callee, true)];
            Caller = new PartyModel(Sides[0], Sides[1]);
            Callee = new PartyModel(Sides[2], Sides[3]);
        }

        public int Index { get; }

        public string MediaType { get; }

        public (int, int, int, int) Ports { get; }

        public bool Ended { get; set; }

        public SideModel[] Sides { get; }

        public PartyModel Caller { get; }

        public PartyModel Callee { get; }

        public PartyModel Party(PartyRole role) => role == PartyRole.Caller ? Caller : Callee;

        public SubPartyStatistics Stats(SessionStatistics session, SideModel side) =>
            StatsOrNull(session, side) ?? throw new FuzzInvariantException($"stream {Index} is missing from the statistics");

        public SubPartyStatistics? StatsOrNull(SessionStatistics session, SideModel side)
        {
            foreach (var stream in session.Streams)
            {
                if (stream.Index == Index)
                {
                    var party = side.Role == PartyRole.Caller ? stream.Caller : stream.Callee;
                    return side.IsRtcp ? party.Rtcp : party.Rtp;
                }
            }

            return null;
        }
    }

    private sealed class SideModel(PartyRole role, bool isRtcp)
    {
        private long _lastAccepted;

        public PartyRole Role { get; } = role;

        public bool IsRtcp { get; } = isRtcp;

        public long Delivered { get; set; }

        /// <summary>Datagrams taken (counted as packets or STUN) that could not be sent, so counted as errors too.</summary>
        public long Failures { get; set; }

        /// <summary>The time of the last datagram taken before the current one.</summary>
        public long LastAcceptedBefore { get; private set; }

        public long LastAccepted
        {
            get => _lastAccepted;
            set
            {
                LastAcceptedBefore = _lastAccepted;
                _lastAccepted = value;
            }
        }

        public bool ResignalledSinceLearn { get; set; }

        /// <summary>STUN from the other party waiting for this side's destination.</summary>
        public List<(byte[] Data, long QueuedAt)> Queue { get; } = [];

        public void Forgotten() => ResignalledSinceLearn = false;
    }
}
