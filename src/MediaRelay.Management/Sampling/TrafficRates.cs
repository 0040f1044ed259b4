using MediaRelay.Core.Api;

namespace MediaRelay.Management.Sampling;

/// <summary>
/// Samples the relay once a second (one snapshot of the running calls; nothing on the packet path) and derives the
/// rates: packets and bits relayed per second (MediaProxy's <c>bps_relayed</c>). Raises <see cref="Sampled"/> after
/// each sample, for the totals event. Counters it reports never go down.
/// </summary>
public sealed class TrafficRates : IDisposable
{
    private readonly ISessionApi _sessions;
    private readonly EndedSessions _ended;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private RelaySample? _last;
    private Traffic _highest;

    public TrafficRates(ISessionApi sessions, EndedSessions ended, TimeProvider time)
    {
        _sessions = sessions;
        _ended = ended;
        _time = time;
    }

    /// <summary>Packets relayed per second over the last second.</summary>
    public double PacketsPerSecond { get; private set; }

    /// <summary>Bits relayed per second over the last second (UDP payload).</summary>
    public double BitsPerSecond { get; private set; }

    /// <summary>After every sample, on a timer thread.</summary>
    public event Action<RelaySample, TrafficRates>? Sampled;

    public void Start(TimeSpan interval) => _timer = _time.CreateTimer(_ => Tick(), null, interval, interval);

    /// <summary>The figures now, counters never below an earlier read.</summary>
    public RelaySample Now()
    {
        var sample = RelaySample.Take(_sessions, _ended, _time);
        lock (_gate)
        {
            _highest = Traffic.Max(_highest, sample.Traffic);
            return sample with { Traffic = _highest };
        }
    }

    /// <summary>Takes a sample and updates the rates; the timer calls it every interval.</summary>
    public void Tick()
    {
        RelaySample sample;
        try
        {
            sample = Now();
        }
        catch (ObjectDisposedException)
        {
            return; // The relay is stopping.
        }

        lock (_gate)
        {
            if (_last is { } last && sample.Time > last.Time)
            {
                var seconds = (sample.Time - last.Time).TotalSeconds;
                PacketsPerSecond = (sample.Traffic.Packets - last.Traffic.Packets) / seconds;
                BitsPerSecond = 8 * (sample.Traffic.Bytes - last.Traffic.Bytes) / seconds;
            }

            _last = sample;
        }

        Sampled?.Invoke(sample, this);
    }

    public void Dispose() => _timer?.Dispose();
}
