namespace MediaRelay.LoadGen.Media;

/// <summary>
/// Fixed-size latency histogram: 1 µs buckets up to 100 ms, then 1 ms buckets up to 10 s, then one overflow
/// bucket. Recording never allocates. Single writer; merge after the writer has stopped.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int FineBuckets = 100_000;
    private const int CoarseBuckets = 10_000;
    private readonly long[] _fine = new long[FineBuckets];
    private readonly long[] _coarse = new long[CoarseBuckets];
    private long _overflow;
    private long _count;

    public long Count => _count;

    public void RecordMicroseconds(long microseconds)
    {
        _count++;
        if (microseconds < 0)
        {
            microseconds = 0;
        }

        if (microseconds < FineBuckets)
        {
            _fine[microseconds]++;
            return;
        }

        var milliseconds = microseconds / 1000;
        if (milliseconds < CoarseBuckets)
        {
            _coarse[milliseconds]++;
            return;
        }

        _overflow++;
    }

    public void Merge(LatencyHistogram other)
    {
        for (var i = 0; i < FineBuckets; i++)
        {
            _fine[i] += other._fine[i];
        }

        for (var i = 0; i < CoarseBuckets; i++)
        {
            _coarse[i] += other._coarse[i];
        }

        _overflow += other._overflow;
        _count += other._count;
    }

    /// <summary>The value in microseconds at quantile q (0..1), or NaN when empty.</summary>
    public double PercentileMicroseconds(double quantile)
    {
        if (_count == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Ceiling(quantile * _count);
        if (rank < 1)
        {
            rank = 1;
        }

        long seen = 0;
        for (var i = 0; i < FineBuckets; i++)
        {
            seen += _fine[i];
            if (seen >= rank)
            {
                return i;
            }
        }

        for (var i = 0; i < CoarseBuckets; i++)
        {
            seen += _coarse[i];
            if (seen >= rank)
            {
                return i * 1000.0;
            }
        }

        return CoarseBuckets * 1000.0;
    }
}
