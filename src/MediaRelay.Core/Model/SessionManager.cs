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
public sealed class SessionManager : ISessionApi, IStreamFactory, IDisposable
{
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly RelayOptions _options;
    private readonly TimeProvider _time;
    private readonly KernelQueue _kernel;
    private readonly ILogger _logger;
    private readonly List<PortPool> _pools = [];
    private readonly List<string> _interfaceNames = [];
    private readonly MediaDestinationPolicy _destinations;
    private readonly ITimer? _sweepTimer;
    private readonly object _sweeperWake = new();
    private bool _sweeperStopping;
    private volatile bool _sweeperMayRest;
    private readonly DelayedRemovals _removals;
    private long _created;
    private long _ended;
    private long _timedOut;
    private bool _disposed;
    private volatile bool _draining;

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
        foreach (var relayInterface in options.EffectiveInterfaces)
        {
            var pool = new PortPool(relayInterface, options.PortMin, options.PortMax, transport);
            _pools.Add(pool);
            if (!_interfaceNames.Contains(relayInterface.Name))
            {
                _interfaceNames.Add(relayInterface.Name);
            }

            CoreLog.PoolReady(_logger, relayInterface.Name, relayInterface.Bind.ToString(), relayInterface.Advertise.ToString(),
                options.PortMin, options.PortMax, pool.TotalPairs);
        }

        _removals = new DelayedRemovals(_time, RemoveDelayed);
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

    /// <inheritdoc />
    public event Action<SessionStatistics>? SessionEnded;

    /// <inheritdoc />
    public event Action<SessionStatistics>? SessionStarted;

    /// <inheritdoc />
    public SessionError Offer(string callId, string fromTag, string? toTag, IReadOnlyList<MediaDescription> media,
        IPAddress? signallingSource, out IReadOnlyList<RelayedMedia> relayed, MediaPlacement? placement = null)
    {
        var result = new List<RelayedMedia>(media.Count);
        relayed = result;
        return OfferAt(callId, fromTag, toTag, media, 0, whole: true, signallingSource, result, placement ?? MediaPlacement.Default);
    }

    /// <inheritdoc />
    public SessionError Answer(string callId, string fromTag, string toTag, IReadOnlyList<MediaDescription> media,
        IPAddress? signallingSource, out IReadOnlyList<RelayedMedia> relayed)
    {
        var result = new List<RelayedMedia>(media.Count);
        relayed = result;
        return AnswerAt(callId, fromTag, toTag, media, 0, signallingSource, result);
    }

    /// <inheritdoc />
    public SessionError OfferStream(string callId, string fromTag, string? toTag, int index, MediaDescription media,
        IPAddress? signallingSource, out RelayedMedia relayed, MediaPlacement? placement = null)
    {
        var result = new List<RelayedMedia>(1);
        var error = index < 0 || index >= _options.MaxStreams
            ? TooManyStreams(callId, index + 1)
            : OfferAt(callId, fromTag, toTag, [media], index, whole: false, signallingSource, result, placement ?? MediaPlacement.Default);
        relayed = result.Count == 1 ? result[0] : new RelayedMedia(index, _pools[0].Interface.Advertise, 0, 0);
        return error;
    }

    /// <inheritdoc />
    public SessionError AnswerStream(string callId, string fromTag, string toTag, int index, MediaDescription media,
        IPAddress? signallingSource, out RelayedMedia relayed)
    {
        var result = new List<RelayedMedia>(1);
        var error = index < 0 || index >= _options.MaxStreams
            ? TooManyStreams(callId, index + 1)
            : AnswerAt(callId, fromTag, toTag, [media], index, signallingSource, result, oneStream: true);
        relayed = result.Count == 1 ? result[0] : new RelayedMedia(index, _pools[0].Interface.Advertise, 0, 0);
        return error;
    }

    private SessionError OfferAt(string callId, string fromTag, string? toTag, IReadOnlyList<MediaDescription> media,
        int first, bool whole, IPAddress? signallingSource, List<RelayedMedia> relayed, MediaPlacement placement)
    {
        if (media.Count > _options.MaxStreams)
        {
            return TooManyStreams(callId, media.Count);
        }

        SessionStatistics? started = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var isNew = !_sessions.TryGetValue(callId, out var session);
            if (isNew && _draining)
            {
                CoreLog.RefusedWhileDraining(_logger, callId);
                return SessionError.Draining;
            }

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

            var error = session!.ApplyOffer(session.OffererRole(fromTag), media, first, whole, signallingSource, this,
                placement, _time.GetUtcNow(), _logger, relayed);
            if (error != SessionError.None)
            {
                relayed.Clear();
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

                if (_logger.IsEnabled(LogLevel.Information))
                {
                    // The port list is built only for a log that is written.
                    CoreLog.SessionStarted(_logger, callId, media.Count, DescribePorts(relayed));
                }

                if (SessionStarted is not null)
                {
                    started = session.Snapshot(null, EndReason.None, TimeSpan.Zero);
                }
            }
        }

        if (started is not null)
        {
            SessionStarted?.Invoke(started);
        }

        // A call signalled again while its removal delay runs (a new branch after a failed one) stays.
        _removals.Cancel(callId);
        return SessionError.None;
    }

    private SessionError AnswerAt(string callId, string fromTag, string toTag, IReadOnlyList<MediaDescription> media,
        int first, IPAddress? signallingSource, List<RelayedMedia> relayed, bool oneStream = false)
    {
        if (media.Count > _options.MaxStreams)
        {
            return TooManyStreams(callId, media.Count);
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_sessions.TryGetValue(callId, out var session))
            {
                return SessionError.UnknownCall;
            }

            if (fromTag != session.CallerTag && fromTag != session.CalleeTag)
            {
                return SessionError.TagMismatch;
            }

            if (oneStream && session.Stream(first) is null)
            {
                return SessionError.UnknownCall;
            }

            var role = session.AnswererRole(toTag);
            // A forked call is answered by the branch whose tag comes last: another phone, not a re-INVITE of
            // the same one, so what the earlier branch's phone taught is forgotten rather than kept obsolete.
            var otherBranch = role == PartyRole.Callee && session.CalleeTag is not null && session.CalleeTag != toTag;
            session.ApplyAnswer(role, media, first, otherBranch, signallingSource, this, _time.GetUtcNow(), _logger, relayed);
            if (role == PartyRole.Callee)
            {
                session.CalleeTag = toTag;
            }

            return SessionError.None;
        }
    }

    private SessionError TooManyStreams(string callId, int streams)
    {
        CoreLog.TooManyStreams(_logger, callId, streams, _options.MaxStreams);
        return SessionError.TooManyStreams;
    }

    /// <inheritdoc />
    public SessionStatistics? Remove(string callId, EndReason reason = EndReason.Closed)
    {
        _removals.Cancel(callId);
        Session? session;
        lock (_gate)
        {
            if (!_sessions.Remove(callId, out session))
            {
                return null;
            }

            Stop(session, reason);
        }

        var statistics = Report(session, reason, TimeSpan.Zero);
        SessionEnded?.Invoke(statistics);
        return statistics;
    }

    /// <inheritdoc />
    public SessionStatistics? RemoveLater(string callId, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            // Another thread may remove it between the two calls; then the query's figures are the last known.
            var now = Query(callId);
            return now is null ? null : Remove(callId) ?? now;
        }

        var statistics = Query(callId);
        if (statistics is not null)
        {
            _removals.Schedule(callId, delay);
            CoreLog.RemovalScheduled(_logger, callId, delay.TotalSeconds);
        }

        return statistics;
    }

    /// <inheritdoc />
    public bool IsRemovalPending(string callId) => _removals.IsPending(callId);

    /// <inheritdoc />
    public bool SetParties(string callId, string? fromUri, string? toUri)
    {
        lock (_gate)
        {
            if (!_sessions.TryGetValue(callId, out var session))
            {
                return false;
            }

            session.FromUri = fromUri ?? session.FromUri;
            session.ToUri = toUri ?? session.ToUri;
            return true;
        }
    }

    private void RemoveDelayed(string callId)
    {
        Session? session;
        lock (_gate)
        {
            if (_disposed || !_sessions.Remove(callId, out session))
            {
                return;
            }

            Stop(session, EndReason.Closed);
        }

        CoreLog.DelayedRemovalDone(_logger, callId);
        var statistics = Report(session, EndReason.Closed, TimeSpan.Zero);
        SessionEnded?.Invoke(statistics);
    }

    /// <inheritdoc />
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

    /// <inheritdoc />
    public IReadOnlyList<string> ListCallIds()
    {
        lock (_gate)
        {
            return OldestFirst().ConvertAll(s => s.CallId);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<SessionStatistics> Snapshot()
    {
        lock (_gate)
        {
            return OldestFirst().ConvertAll(s => s.Snapshot(null, EndReason.None, TimeSpan.Zero));
        }
    }

    private List<Session> OldestFirst()
    {
        var sessions = new List<Session>(_sessions.Values);
        sessions.Sort((a, b) => a.Created.CompareTo(b.Created));
        return sessions;
    }

    /// <inheritdoc />
    public RelayTotals Totals
    {
        get
        {
            lock (_gate)
            {
                var pairsInUse = PairsInUse;
                var pairs = 0;
                foreach (var pool in _pools)
                {
                    pairs += pool.TotalPairs;
                }

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
            _removals.Dispose();
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
            // Report first: it logs the end and frees the session, whether or not anyone listens.
            var statistics = Report(session, EndReason.Shutdown, TimeSpan.Zero, flushed: true);
            SessionEnded?.Invoke(statistics);
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
            statistics.TotalPackets, statistics.KernelPackets, statistics.TotalBytes, statistics.TotalErrors, timeoutWait.TotalSeconds,
            DescribeQuality(statistics));
        return statistics;
    }

    private int PairsInUse
    {
        get
        {
            var pairs = 0;
            foreach (var pool in _pools)
            {
                pairs += pool.PairsInUse;
            }

            return pairs;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> InterfaceNames => _interfaceNames;

    /// <inheritdoc />
    public bool Draining => _draining;

    /// <inheritdoc />
    public void StartDraining()
    {
        if (!_draining)
        {
            _draining = true;
            CoreLog.DrainStarted(_logger, Totals.CurrentSessions);
        }
    }

    /// <inheritdoc />
    public string? InterfaceOf(IPAddress address)
    {
        foreach (var pool in _pools)
        {
            if (pool.Interface.Bind.Equals(address) || pool.Interface.Advertise.Equals(address))
            {
                return pool.Interface.Name;
            }
        }

        return null;
    }

    IPAddress IStreamFactory.RelayAddress => _pools[0].Interface.Advertise;

    /// <summary>The pool of an interface in a family; the interface's other family when it has only that; null for an unknown name.</summary>
    private PortPool? Pool(string name, AddressFamily family)
    {
        PortPool? other = null;
        foreach (var pool in _pools)
        {
            if (pool.Interface.Name == name)
            {
                if (pool.Address.AddressFamily == family)
                {
                    return pool;
                }

                other ??= pool;
            }
        }

        return other;
    }

    /// <inheritdoc />
    bool IStreamFactory.TryPlace(MediaStream? existing, PartyRole offerer, IPAddress offererAddress, MediaPlacement placement,
        out PortPool offererPool, out PortPool answererPool)
    {
        offererPool = answererPool = null!;
        var answerer = offerer == PartyRole.Caller ? PartyRole.Callee : PartyRole.Caller;
        var kept = existing is { Ended: false } ? existing : null;
        var offererFamily = SdpFamily(offererAddress);
        var offererName = placement.OffererInterface ?? kept?.Party(offerer).Pool.Interface.Name ?? _interfaceNames[0];
        var offererChosen = Pool(offererName, offererFamily);
        if (offererChosen is null)
        {
            return false;
        }

        var answererName = placement.AnswererInterface ?? kept?.Party(answerer).Pool.Interface.Name ?? offererName;
        var answererFamily = placement.AnswererFamily ?? kept?.Party(answerer).Pool.Address.AddressFamily ?? offererChosen.Address.AddressFamily;
        var answererChosen = Pool(answererName, answererFamily);
        if (answererChosen is null)
        {
            return false;
        }

        if (placement.AnswererFamily is { } wanted && answererChosen.Address.AddressFamily != wanted && placement.AnswererInterface is null)
        {
            // IPv4/IPv6 bridging: the interface has no address of the family asked for; the first one that has it.
            answererChosen = _pools.Find(p => p.Address.AddressFamily == wanted) ?? answererChosen;
        }

        offererPool = offererChosen;
        answererPool = answererChosen;
        return true;
    }

    /// <summary>The family of an SDP address; a hold address (0.0.0.0, ::) says its family too.</summary>
    private static AddressFamily SdpFamily(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? AddressFamily.InterNetwork : address.AddressFamily;

    /// <summary>Under the control lock: a stream with a port pair for each party, from each party's pool.</summary>
    bool IStreamFactory.TryCreate(string callId, int index, string mediaType, PortPool callerPool, PortPool calleePool, out MediaStream stream)
    {
        stream = null!;
        // The descriptor budget (RLIMIT_NOFILE less a reserve): refuse before the kernel does.
        var withinBudget = _options.MaxMediaSockets <= 0 || (PairsInUse + 2) * 2 <= _options.MaxMediaSockets;
        if (!withinBudget || !callerPool.TryAllocate(out var callerRtp, out var callerRtcp))
        {
            CoreLog.OutOfPorts(_logger, callId, _options.PortMin, _options.PortMax, callerPool.Address.ToString(), PairsInUse * 2);
            return false;
        }

        if (!calleePool.TryAllocate(out var calleeRtp, out var calleeRtcp))
        {
            callerPool.Release(callerRtp, callerRtcp);
            CoreLog.OutOfPorts(_logger, callId, _options.PortMin, _options.PortMax, calleePool.Address.ToString(), PairsInUse * 2);
            return false;
        }

        var caller = new MediaParty(PartyRole.Caller, callerPool, callerRtp, callerRtcp);
        var callee = new MediaParty(PartyRole.Callee, calleePool, calleeRtp, calleeRtcp);
        stream = new MediaStream(index, mediaType, caller, callee, _time, _options, _kernel, _destinations);
        return true;
    }

    /// <summary>"MOS 4.3 (loss 0.5 %, jitter 2.1 ms)" of the party that heard worst; "n/a" with no RTP seen in user space.</summary>
    private static string DescribeQuality(SessionStatistics statistics)
    {
        QualityStatistics? worst = null;
        var loss = 0.0;
        var jitter = 0.0;
        foreach (var stream in statistics.Streams)
        {
            foreach (var party in (ReadOnlySpan<PartyStatistics>)[stream.Caller, stream.Callee])
            {
                loss = Math.Max(loss, party.Quality.LossPercent);
                jitter = Math.Max(jitter, party.Quality.JitterMilliseconds);
                if (party.Quality.Mos is { } mos && (worst?.Mos is not { } low || mos < low))
                {
                    worst = party.Quality;
                }
            }
        }

        return worst?.Mos is { } lowest
            ? string.Create(CultureInfo.InvariantCulture, $"MOS {lowest:F1} (loss up to {loss:F1} %, jitter up to {jitter:F1} ms)")
            : "n/a";
    }

    private static string DescribePorts(List<RelayedMedia> relayed)
    {
        var parts = new List<string>(relayed.Count);
        foreach (var media in relayed)
        {
            parts.Add(media.RtpPort.ToString(CultureInfo.InvariantCulture));
        }

        return string.Join(",", parts);
    }
}
