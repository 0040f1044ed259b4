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

    /// <summary>
    /// A copy, with the count taken from the buckets (a copy made while the writer runs stays consistent with itself).
    /// </summary>
    public LatencyHistogram Copy()
    {
        var copy = new LatencyHistogram();
        Array.Copy(_fine, copy._fine, FineBuckets);
        Array.Copy(_coarse, copy._coarse, CoarseBuckets);
        copy._overflow = Volatile.Read(ref _overflow);
        copy._count = copy.BucketTotal();
        return copy;
    }

    /// <summary>What was recorded between <paramref name="earlier"/> (a copy of this histogram) and now, as a histogram.</summary>
    public LatencyHistogram Since(LatencyHistogram earlier)
    {
        var interval = Copy();
        for (var i = 0; i < FineBuckets; i++)
        {
            interval._fine[i] = Math.Max(0, interval._fine[i] - earlier._fine[i]);
        }

        for (var i = 0; i < CoarseBuckets; i++)
        {
            interval._coarse[i] = Math.Max(0, interval._coarse[i] - earlier._coarse[i]);
        }

        interval._overflow = Math.Max(0, interval._overflow - earlier._overflow);
        interval._count = interval.BucketTotal();
        return interval;
    }

    /// <summary>The highest value recorded in microseconds (a bucket's lower edge), or NaN when empty.</summary>
    public double MaxMicroseconds()
    {
        if (_overflow > 0)
        {
            return CoarseBuckets * 1000.0;
        }

        for (var i = CoarseBuckets - 1; i >= 0; i--)
        {
            if (_coarse[i] > 0)
            {
                return i * 1000.0;
            }
        }

        for (var i = FineBuckets - 1; i >= 0; i--)
        {
            if (_fine[i] > 0)
            {
                return i;
            }
        }

        return double.NaN;
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

    private long BucketTotal()
    {
        var total = _overflow;
        for (var i = 0; i < FineBuckets; i++)
        {
            total += _fine[i];
        }

        for (var i = 0; i < CoarseBuckets; i++)
        {
            total += _coarse[i];
        }

        return total;
    }
}
