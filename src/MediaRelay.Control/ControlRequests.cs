using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MediaRelay.Control;

/// <summary>
/// How long each control request took, per protocol and command, published as a .NET histogram (meter
/// <see cref="MeterName"/>, instrument <see cref="DurationName"/>, seconds) so that the management listener can export
/// it without Control knowing about it. Each protocol records at its one entry point; with no listener a record costs
/// one check. Commands are named from a fixed vocabulary (unknown ones as "unknown"), never from the wire as is.
/// </summary>
public static class ControlRequests
{
    public const string MeterName = "MediaRelay.Control";

    public const string DurationName = "mediarelay.request.duration";

    private static readonly Meter s_meter = new(MeterName);

    private static readonly Histogram<double> s_duration = s_meter.CreateHistogram<double>(DurationName, "s",
        "Time to run one control request, by protocol and command");

    /// <summary>A timestamp to hand to <see cref="Record"/> when the request is done.</summary>
    public static long Start() => s_duration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Records one request of <paramref name="protocol"/> ("ng", "mediaproxy", "rtpproxy").</summary>
    public static void Record(string protocol, string command, long started)
    {
        if (started == 0 || !s_duration.Enabled)
        {
            return;
        }

        s_duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
            new KeyValuePair<string, object?>("protocol", protocol), new KeyValuePair<string, object?>("command", command));
    }
}
