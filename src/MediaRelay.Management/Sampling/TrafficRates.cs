using MediaRelay.Core.Api;

namespace MediaRelay.Management.Sampling;

/// <summary>
/// Samples the relay once a second (the running calls added up in place; nothing on the packet path) and derives the
/// rates: packets and bits relayed per second (MediaProxy's <c>bps_relayed</c>). Raises <see cref="Sampled"/> after
/// each sample, for the totals event. Counters it reports never go down. The sampler is a thread of its own (mr-sample)
/// that sleeps between samples: a timer would wake the timer thread, then a thread-pool worker and its gate thread,
/// every second, which is most of what a relay burns while the kernel forwards its media.
/// </summary>
public sealed class TrafficRates : IDisposable
{
    private readonly ISessionApi _sessions;
    private readonly EndedSessions _ended;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly ManualResetEventSlim _stop = new(false, 0);
    private Thread? _sampler;
    private int _disposed;
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

    /// <summary>After every sample, on the sampler's thread.</summary>
    public event Action<RelaySample, TrafficRates>? Sampled;

    /// <summary>Starts sampling every <paramref name="interval"/> (the first sample one interval from now).</summary>
    public void Start(TimeSpan interval)
    {
        _sampler = new Thread(() =>
        {
            while (!_stop.Wait(interval))
            {
                Tick();
            }
        })
        { IsBackground = true, Name = "mr-sample" };
        _sampler.Start();
    }

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

    /// <summary>Stops the sampler (waits for a sample in progress).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Set();
        if (_sampler is { } sampler && sampler != Thread.CurrentThread)
        {
            sampler.Join();
        }
    }
}
