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
public sealed partial class SessionManager : ISessionApi, IDisposable
{
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly RelayOptions _options;
    private readonly TimeProvider _time;
    private readonly KernelQueue _kernel;
    private readonly ILogger _logger;
    private readonly InterfacePools _pools;
    private readonly StreamFactory _streams;
    private readonly ITimer? _sweepTimer;
    private readonly SweepThread? _sweeper;
    private readonly DelayedRemovals _removals;
    private long _created;
    private long _ended;
    private long _timedOut;
    private bool _disposed;
    private int _draining; // 0 until the first StartDraining sets it to 1

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
        _pools = new InterfacePools(options, transport, _time, _logger, () => _sweeper?.Wake());
        _streams = new StreamFactory(options, _pools, _time, _kernel, _logger);
        _removals = new DelayedRemovals(_time, RemoveDelayed);
        if (ReferenceEquals(_time, TimeProvider.System))
        {
            // The system clock: a thread of its own that sleeps in the kernel between sweeps (see SweepThread).
            _sweeper = new SweepThread(_time, options.SweepInterval, Sweep);
        }
        else
        {
            // Any other clock (the tests' fake one) drives the sweep through its own timers.
            _sweepTimer = _time.CreateTimer(_ => Sweep(), null, options.SweepInterval, options.SweepInterval);
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
        relayed = result.Count == 1 ? result[0] : new RelayedMedia(index, _pools.DefaultAddress, 0, 0);
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
        relayed = result.Count == 1 ? result[0] : new RelayedMedia(index, _pools.DefaultAddress, 0, 0);
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
            if (isNew && Draining)
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

            var error = session!.ApplyOffer(session.OffererRole(fromTag), media, first, whole, signallingSource, _streams,
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
                _sweeper?.Wake();

                if (_logger.IsEnabled(LogLevel.Information))
                {
                    // The port list is built only for a log that is written.
                    CoreLog.SessionStarted(_logger, callId, media.Count, SessionDescriptions.Ports(relayed));
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
            session.ApplyAnswer(role, media, first, otherBranch, signallingSource, _streams, _time.GetUtcNow(), _logger, relayed);
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
            // The removal's own final figures: no snapshot beforehand (one per delete was thrown away). A call
            // another thread removes first is gone for this one, as if that removal had come a moment earlier.
            return Remove(callId);
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
            _pools.CloseExpired();
            _sweeper?.Rest(_sessions.Count == 0 && _pools.ParkedPairs == 0);
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
            _sweeper?.Stop();
            _removals.Dispose();
            ended = [.. _sessions.Values];
            foreach (var session in ended)
            {
                Stop(session, EndReason.Shutdown);
            }

            _sessions.Clear();
            _pools.CloseParked();
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
            SessionDescriptions.Quality(statistics));
        return statistics;
    }

    /// <inheritdoc />
    public bool Draining => Volatile.Read(ref _draining) != 0;

    /// <inheritdoc />
    public void StartDraining()
    {
        if (Interlocked.Exchange(ref _draining, 1) == 0)
        {
            CoreLog.DrainStarted(_logger, Totals.CurrentSessions);
            DrainStarted?.Invoke();
        }
    }

    /// <inheritdoc />
    public event Action? DrainStarted;
}
