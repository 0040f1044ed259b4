using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;
using MediaRelay.Core.Forwarding;
using MediaRelay.Core.Net;
using MediaRelay.Core.Ports;
using MediaRelay.Core.Statistics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Core.Model;

/// <summary>
/// Owns every session: allocates ports, creates, updates, removes and expires sessions. This is the session API
/// that control protocols call.
/// Threading: every public method may be called from any thread; control calls and the timeout sweep are
/// serialised by one lock that the packet path never takes. <see cref="SessionEnded"/> is raised outside it.
/// </summary>
public sealed class SessionManager : IDisposable
{
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly RelayOptions _options;
    private readonly TimeProvider _time;
    private readonly KernelQueue _kernel;
    private readonly ILogger _logger;
    private readonly PortPool _pool;
    private readonly PortPool? _poolV6;
    private readonly MediaDestinationPolicy _destinations;
    private readonly ITimer? _sweepTimer;
    private readonly object _sweeperWake = new();
    private bool _sweeperStopping;
    private volatile bool _sweeperMayRest;
    private long _created;
    private long _ended;
    private long _timedOut;
    private bool _disposed;

    public SessionManager(RelayOptions options, IPacketTransport transport, TimeProvider? time = null,
        ILogger<SessionManager>? logger = null, KernelQueue? kernel = null)
    {
        if (options.PortMin < 1 || options.PortMax > 65535 || options.PortMax - options.PortMin < 1)
        {
            throw new ArgumentException($"port range {options.PortMin}-{options.PortMax} is not valid: it needs at least one even/odd pair within 1-65535", nameof(options));
        }

        _options = options;
        _time = time ?? TimeProvider.System;
        _kernel = kernel ?? KernelQueue.UserSpaceOnly;
        _logger = logger ?? NullLogger<SessionManager>.Instance;
        _destinations = new MediaDestinationPolicy(options);
        _pool = new PortPool(options.RelayAddress, options.PortMin, options.PortMax, transport);
        CoreLog.PoolReady(_logger, options.RelayAddress.ToString(), options.PortMin, options.PortMax, _pool.TotalPairs);
        if (options.RelayAddressV6 is { } v6)
        {
            _poolV6 = new PortPool(v6, options.PortMin, options.PortMax, transport);
            CoreLog.PoolReady(_logger, v6.ToString(), options.PortMin, options.PortMax, _poolV6.TotalPairs);
        }

        if (ReferenceEquals(_time, TimeProvider.System))
        {
            // The system clock: a thread of its own that sleeps in the kernel between sweeps. A timer would wake the
            // timer thread, a thread-pool worker (which then spins looking for more work) and the pool's gate
            // thread every second: most of an idle relay's CPU once its calls run in the kernel.
            new Thread(SweepLoop) { IsBackground = true, Name = "mr-sweep" }.Start();
        }
        else
        {
            // Any other clock (the tests' fake one) drives the sweep through its own timers.
            _sweepTimer = _time.CreateTimer(_ => Sweep(), null, options.SweepInterval, options.SweepInterval);
        }
    }

    /// <summary>The sweep thread: <see cref="Sweep"/> every <see cref="RelayOptions.SweepInterval"/> until disposal.</summary>
    private void SweepLoop()
    {
        var interval = _time.Ticks(_options.SweepInterval);
        var next = _time.GetTimestamp() + interval;
        while (true)
        {
            lock (_sweeperWake)
            {
                while (!_sweeperStopping)
                {
                    if (_sweeperMayRest)
                    {
                        // No session at the last sweep: nothing can time out until an offer creates one (it wakes us).
                        Monitor.Wait(_sweeperWake);
                        next = _time.GetTimestamp() + interval;
                        continue;
                    }

                    var left = _time.GetElapsedTime(_time.GetTimestamp(), next);
                    if (left <= TimeSpan.Zero)
                    {
                        break;
                    }

                    // Rounded up: a wait rounded down to 0 ms would spin until the sweep is due.
                    Monitor.Wait(_sweeperWake, (int)Math.Ceiling(left.TotalMilliseconds));
                }

                if (_sweeperStopping)
                {
                    return;
                }
            }

            var now = _time.GetTimestamp();
            next = Math.Max(next + interval, now + (interval / 2)); // a late sweep does not cause a burst of them
            Sweep();
        }
    }

    /// <summary>Raised when a session ends by itself (expiry), with its statistics and reason. Not raised by Remove.</summary>
    public event Action<SessionStatistics>? SessionEnded;

    /// <summary>
    /// Applies an offer: <paramref name="fromTag"/> names the offerer, whose side of each stream the media sets.
    /// Returns the relay address and ports that face the other party (written into the SDP that goes to it).
    /// Nothing changes when an error is returned.
    /// </summary>
    public SessionError Offer(string callId, string fromTag, string? toTag, IReadOnlyList<MediaDescription> media,
        IPAddress? signallingSource, out IReadOnlyList<RelayedMedia> relayed)
    {
        lock (_gate)
        {
            relayed = [];
            ObjectDisposedException.ThrowIf(_disposed, this);
            var isNew = !_sessions.TryGetValue(callId, out var session);
            if (isNew)
            {
                if (_options.MaxSessions > 0 && _sessions.Count >= _options.MaxSessions)
                {
                    CoreLog.SessionLimit(_logger, callId, _options.MaxSessions);
                    return SessionError.SessionLimit;
                }

                session = new Session(callId, fromTag, toTag, _time.GetUtcNow());
            }
            else if (session!.CalleeTag is null && toTag is not null && toTag != session.CallerTag)
            {
                session.CalleeTag = toTag;
            }

            var error = Apply(session!, session!.OffererRole(fromTag), media, isOffer: true, signallingSource, out relayed);
            if (error != SessionError.None)
            {
                if (isNew)
                {
                    session.Dispose();
                }

                return error;
            }

            if (isNew && !session.HasLiveStream)
            {
                // An offer with no m-line, or only rejected ones, relays nothing: keep no session that could never expire.
                session.Dispose();
                return SessionError.None;
            }

            if (isNew)
            {
                _sessions.Add(callId, session);
                _created++;
                if (_sweeperMayRest)
                {
                    lock (_sweeperWake)
                    {
                        _sweeperMayRest = false;
                        Monitor.Pulse(_sweeperWake);
                    }
                }
                CoreLog.SessionStarted(_logger, callId, media.Count, DescribePorts(relayed));
            }

            return SessionError.None;
        }
    }

    /// <summary>
    /// Applies an answer: <paramref name="toTag"/> names the answerer, whose side of each stream the media sets.
    /// Returns the relay ports that face the offerer. Nothing changes when an error is returned.
    /// </summary>
    public SessionError Answer(string callId, string fromTag, string toTag, IReadOnlyList<MediaDescription> media,
        IPAddress? signallingSource, out IReadOnlyList<RelayedMedia> relayed)
    {
        lock (_gate)
        {
            relayed = [];
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_sessions.TryGetValue(callId, out var session))
            {
                return SessionError.UnknownCall;
            }

            if (fromTag != session.CallerTag && fromTag != session.CalleeTag)
            {
                return SessionError.TagMismatch;
            }

            var role = session.AnswererRole(toTag);
            // A forked call is answered by the branch whose tag comes last: another phone, not a re-INVITE of
            // the same one, so what the earlier branch's phone taught is forgotten rather than kept obsolete.
            var otherBranch = role == PartyRole.Callee && session.CalleeTag is not null && session.CalleeTag != toTag;
            var error = Apply(session, role, media, isOffer: false, signallingSource, out relayed, otherBranch);
            if (error == SessionError.None && role == PartyRole.Callee)
            {
                session.CalleeTag = toTag;
            }

            return error;
        }
    }

    /// <summary>Removes a session now, frees its ports and returns its final statistics; null when unknown.</summary>
    public SessionStatistics? Remove(string callId, EndReason reason = EndReason.Closed)
    {
        Session? session;
        lock (_gate)
        {
            if (!_sessions.Remove(callId, out session))
            {
                return null;
            }

            Stop(session, reason);
        }

        return Report(session, reason, TimeSpan.Zero);
    }

    /// <summary>The statistics of a running session; null when unknown.</summary>
    public SessionStatistics? Query(string callId)
    {
        KernelFlow[] flows;
        lock (_gate)
        {
            if (!_sessions.TryGetValue(callId, out var session))
            {
                return null;
            }

            flows = session.UsedKernel ? session.KernelFlows() : [];
        }

        // The kernel's counters of this call, read now and outside the control lock (not up to a second old).
        _kernel.ReadNow(flows, TimeSpan.FromSeconds(1));
        lock (_gate)
        {
            return _sessions.TryGetValue(callId, out var session)
                ? session.Snapshot(null, EndReason.None, TimeSpan.Zero)
                : null;
        }
    }

    /// <summary>The Call-IDs of every running session, oldest first.</summary>
    public IReadOnlyList<string> ListCallIds()
    {
        lock (_gate)
        {
            var sessions = new List<Session>(_sessions.Values);
            sessions.Sort((a, b) => a.Created.CompareTo(b.Created));
            return sessions.ConvertAll(s => s.CallId);
        }
    }

    /// <summary>Relay-wide figures.</summary>
    public RelayTotals Totals
    {
        get
        {
            lock (_gate)
            {
                var pairsInUse = PairsInUse;
                var pairs = _pool.TotalPairs + (_poolV6?.TotalPairs ?? 0);
                return new RelayTotals(_sessions.Count, _created, _ended, _timedOut, pairsInUse * 2, pairs * 2);
            }
        }
    }

    /// <summary>Runs the timeout sweep now (the timer calls it every <see cref="RelayOptions.SweepInterval"/>).</summary>
    public void Sweep()
    {
        List<(Session Session, EndReason Reason, TimeSpan Wait)>? expired = null;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var now = _time.GetTimestamp();
            _sweeperMayRest = _sessions.Count == 0;
            List<Session>? ended = null;
            foreach (var session in _sessions.Values)
            {
                if (session.NextCheck > now)
                {
                    continue; // nothing can time out or change here before then (see MediaStream.CheckTimeout)
                }

                var next = long.MaxValue;
                foreach (var stream in session.Streams)
                {
                    if (stream is not null)
                    {
                        stream.CheckTimeout(now, out var due);
                        next = Math.Min(next, due);
                    }
                }

                session.NextCheck = next;

                if (session.AllStreamsEnded)
                {
                    (ended ??= []).Add(session);
                }
            }

            if (ended is not null)
            {
                expired = new List<(Session, EndReason, TimeSpan)>(ended.Count);
                foreach (var session in ended)
                {
                    _sessions.Remove(session.CallId);
                    var (reason, wait) = session.LastEnd();
                    if (reason is EndReason.NoTrafficTimeout or EndReason.OnHoldTimeout or EndReason.UnselectedIceCandidate or EndReason.KernelTimeout)
                    {
                        _timedOut++;
                    }

                    Stop(session, reason);
                    expired.Add((session, reason, wait));
                }
            }
        }

        if (expired is not null)
        {
            foreach (var (session, reason, wait) in expired)
            {
                var statistics = Report(session, reason, wait); // always: it logs the end and disposes the session
                SessionEnded?.Invoke(statistics);
            }
        }
    }

    /// <summary>Ends every session (reason "shutdown") and frees every port.</summary>
    public void Dispose()
    {
        List<Session> ended;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _sweepTimer?.Dispose();
            lock (_sweeperWake)
            {
                _sweeperStopping = true;
                Monitor.Pulse(_sweeperWake);
            }
            ended = [.. _sessions.Values];
            foreach (var session in ended)
            {
                Stop(session, EndReason.Shutdown);
            }

            _sessions.Clear();
            _disposed = true;
        }

        // One wait for the kernel worker covers every session's flows.
        _kernel.Flush(TimeSpan.FromSeconds(5));
        foreach (var session in ended)
        {
            Report(session, EndReason.Shutdown, TimeSpan.Zero, flushed: true);
        }
    }

    /// <summary>Under the control lock: stops relaying and frees the session's ports (its kernel flows are posted for removal).</summary>
    private void Stop(Session session, EndReason reason)
    {
        session.EndAll(reason);
        _ended++;
    }

    /// <summary>
    /// Outside the control lock: waits for the kernel worker to remove the session's flows (so the statistics hold
    /// every kernel packet), then takes the final statistics and logs the end.
    /// </summary>
    private SessionStatistics Report(Session session, EndReason reason, TimeSpan timeoutWait, bool flushed = false)
    {
        if (!flushed && session.UsedKernel)
        {
            _kernel.Flush(TimeSpan.FromSeconds(1));
        }

        var now = _time.GetUtcNow();
        var statistics = session.Snapshot(now, reason, timeoutWait);
        session.Dispose();
        CoreLog.SessionEnded(_logger, session.CallId, reason.ToText(), statistics.Duration(now).TotalSeconds,
            statistics.TotalPackets, statistics.KernelPackets, statistics.TotalBytes, statistics.TotalErrors, timeoutWait.TotalSeconds);
        return statistics;
    }

    /// <summary>
    /// Applies one party's media to a session. New streams are allocated first, so running out of ports half-way
    /// frees what was taken and changes nothing.
    /// </summary>
    private SessionError Apply(Session session, PartyRole role, IReadOnlyList<MediaDescription> media, bool isOffer,
        IPAddress? signallingSource, out IReadOnlyList<RelayedMedia> relayed, bool otherPhone = false)
    {
        relayed = [];
        session.NextCheck = 0; // signalling can change timeouts, hold, obsolete marks: the next sweep looks again
        if (media.Count > _options.MaxStreams)
        {
            CoreLog.TooManyStreams(_logger, session.CallId, media.Count, _options.MaxStreams);
            return SessionError.TooManyStreams;
        }

        List<MediaStream>? created = null;
        if (isOffer)
        {
            for (var i = 0; i < media.Count; i++)
            {
                var description = media[i];
                var existing = session.Stream(i);
                var pool = PoolFor(description.Address);
                var reusable = existing is { Ended: false } && existing.MediaType == description.MediaType
                    && existing.Caller.Address.AddressFamily == pool.Address.AddressFamily;
                if (description.Port == 0 || reusable)
                {
                    continue;
                }

                if (!TryCreateStream(i, description.MediaType, pool, out var stream))
                {
                    if (created is not null)
                    {
                        foreach (var s in created)
                        {
                            s.Dispose();
                        }
                    }

                    CoreLog.OutOfPorts(_logger, session.CallId, _options.PortMin, _options.PortMax, pool.Address.ToString(), PairsInUse * 2);
                    return SessionError.OutOfPorts;
                }

                (created ??= []).Add(stream);
            }
        }

        if (created is not null)
        {
            foreach (var stream in created)
            {
                session.SetStream(stream.Index, stream);
            }
        }

        session.LastSignal = _time.GetUtcNow();
        var other = role == PartyRole.Caller ? PartyRole.Callee : PartyRole.Caller;
        var result = new List<RelayedMedia>(media.Count);
        for (var i = 0; i < media.Count; i++)
        {
            var description = media[i];
            var stream = session.Stream(i);
            if (description.Port == 0 || stream is null || stream.Ended)
            {
                stream?.End(isOffer ? EndReason.Closed : EndReason.Rejected, TimeSpan.Zero);
                result.Add(new RelayedMedia(i, stream?.Party(other).Address ?? _options.RelayAddress, 0, 0));
                continue;
            }

            var verdict = stream.UpdateParty(role, description, signallingSource, otherPhone);
            if (verdict != DestinationVerdict.Allowed)
            {
                CoreLog.DestinationRefused(_logger, session.CallId, i, role == PartyRole.Caller ? "caller" : "callee",
                    description.Address + ":" + description.Port.ToString(CultureInfo.InvariantCulture), verdict.ToString());
            }

            var facing = stream.Party(other);
            result.Add(new RelayedMedia(i, facing.Address, facing.RtpListener.Port, facing.RtcpListener.Port));
        }

        if (isOffer)
        {
            // Streams missing from a new offer are closed (RFC 3264 section 8: m-lines are never removed).
            for (var i = media.Count; i < session.Streams.Count; i++)
            {
                session.Streams[i]?.End(EndReason.Closed, TimeSpan.Zero);
            }
        }

        relayed = result;
        return SessionError.None;
    }

    private int PairsInUse => _pool.PairsInUse + (_poolV6?.PairsInUse ?? 0);

    private PortPool PoolFor(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && _poolV6 is not null ? _poolV6 : _pool;

    private bool TryCreateStream(int index, string mediaType, PortPool pool, out MediaStream stream)
    {
        stream = null!;
        if (_options.MaxMediaSockets > 0 && (PairsInUse + 2) * 2 > _options.MaxMediaSockets)
        {
            // The descriptor budget (RLIMIT_NOFILE less a reserve): refuse before the kernel does.
            return false;
        }

        if (!pool.TryAllocate(out var callerRtp, out var callerRtcp))
        {
            return false;
        }

        if (!pool.TryAllocate(out var calleeRtp, out var calleeRtcp))
        {
            pool.Release(callerRtp, callerRtcp);
            return false;
        }

        var caller = new MediaParty(PartyRole.Caller, pool, callerRtp, callerRtcp);
        var callee = new MediaParty(PartyRole.Callee, pool, calleeRtp, calleeRtcp);
        stream = new MediaStream(index, mediaType, caller, callee, _time, _options, _kernel, _destinations);
        return true;
    }

    private static string DescribePorts(IReadOnlyList<RelayedMedia> relayed)
    {
        var parts = new List<string>(relayed.Count);
        foreach (var media in relayed)
        {
            parts.Add(media.RtpPort.ToString(CultureInfo.InvariantCulture));
        }

        return string.Join(",", parts);
    }
}
