using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;

namespace MediaRelay.Management.Sampling;

/// <summary>
/// What the calls that ended added up to, kept from the session API's SessionEnded event (once per call, never per
/// packet): their media by path, how many ended for each reason, how many had media one way only, and how many of
/// their streams never carried a packet. Threading: the event may come from any thread; readers take a copy.
/// </summary>
public sealed class EndedSessions : IDisposable
{
    private readonly ISessionApi _sessions;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _reasons = new(StringComparer.Ordinal);
    private Traffic _traffic;
    private long _oneWay;
    private long _zeroPacketStreams;

    public EndedSessions(ISessionApi sessions)
    {
        _sessions = sessions;
        _sessions.SessionEnded += OnEnded;
    }

    /// <summary>Media of every ended call.</summary>
    public Traffic Traffic
    {
        get
        {
            lock (_gate)
            {
                return _traffic;
            }
        }
    }

    /// <summary>Ended calls where RTP flowed in one direction only (one party sent, the other never did).</summary>
    public long OneWay => Interlocked.Read(ref _oneWay);

    /// <summary>Streams of ended calls that relayed no RTP packet either way.</summary>
    public long ZeroPacketStreams => Interlocked.Read(ref _zeroPacketStreams);

    /// <summary>Ended calls by reason ("closed", "terminated", "no-traffic timeout", ...).</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Reasons
    {
        get
        {
            lock (_gate)
            {
                return [.. _reasons];
            }
        }
    }

    /// <summary>True when RTP went one way only in some stream of <paramref name="call"/> and never the other way in any.</summary>
    public static bool IsOneWay(SessionStatistics call)
    {
        long fromCaller = 0, fromCallee = 0;
        foreach (var stream in call.Streams)
        {
            fromCaller += stream.Caller.Rtp.TotalPackets;
            fromCallee += stream.Callee.Rtp.TotalPackets;
        }

        return (fromCaller == 0) != (fromCallee == 0);
    }

    private void OnEnded(SessionStatistics call)
    {
        var traffic = Traffic.Of(call);
        var silent = 0;
        foreach (var stream in call.Streams)
        {
            if (stream.Caller.Rtp.TotalPackets == 0 && stream.Callee.Rtp.TotalPackets == 0)
            {
                silent++;
            }
        }

        lock (_gate)
        {
            _traffic += traffic;
            var reason = call.EndReason.ToText();
            _reasons[reason] = _reasons.GetValueOrDefault(reason) + 1;
        }

        Interlocked.Add(ref _zeroPacketStreams, silent);
        if (IsOneWay(call))
        {
            Interlocked.Increment(ref _oneWay);
        }
    }

    public void Dispose() => _sessions.SessionEnded -= OnEnded;
}
