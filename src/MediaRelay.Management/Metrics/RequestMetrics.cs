using System.Diagnostics.Metrics;
using Prometheus;

namespace MediaRelay.Management.Metrics;

/// <summary>
/// <c>mediarelay_requests_total{protocol,command}</c> and the histogram <c>mediarelay_request_seconds{protocol,command}</c>,
/// fed by the control protocols' .NET histogram (meter "MediaRelay.Control", recorded once per request at each
/// protocol's entry point) through a <see cref="MeterListener"/>.
/// </summary>
public sealed class RequestMetrics : IDisposable
{
    /// <summary>The meter and instrument MediaRelay.Control publishes (ControlRequests).</summary>
    public const string MeterName = "MediaRelay.Control";

    public const string InstrumentName = "mediarelay.request.duration";

    private static readonly double[] s_buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    private readonly Counter _requests;
    private readonly Histogram _seconds;
    private readonly MeterListener _listener = new();

    public RequestMetrics(IMetricFactory factory)
    {
        _requests = factory.CreateCounter("mediarelay_requests_total", "Control requests run, by protocol (ng, mediaproxy, rtpproxy) and command", ["protocol", "command"]);
        _seconds = factory.CreateHistogram("mediarelay_request_seconds", "Time to run one control request, by protocol and command",
            new HistogramConfiguration { LabelNames = ["protocol", "command"], Buckets = s_buckets });
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name == InstrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
    }

    public void Start() => _listener.Start();

    private void OnMeasurement(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string protocol = "unknown", command = "unknown";
        foreach (var tag in tags)
        {
            if (tag.Key == "protocol")
            {
                protocol = tag.Value as string ?? protocol;
            }
            else if (tag.Key == "command")
            {
                command = tag.Value as string ?? command;
            }
        }

        _requests.WithLabels(protocol, command).Inc();
        _seconds.WithLabels(protocol, command).Observe(seconds);
    }

    public void Dispose() => _listener.Dispose();
}
