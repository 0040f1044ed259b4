namespace MediaRelay.Core.Model;

/// <summary>Windows and timeouts as <see cref="TimeProvider.GetTimestamp"/> ticks, so the packet path compares longs.</summary>
internal static class TimestampTicks
{
    public static long Ticks(this TimeProvider time, TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);
}
