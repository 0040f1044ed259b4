using MediaRelay.Core.Api;
using MediaRelay.Management.Sampling;
using Prometheus;

namespace MediaRelay.Management.Metrics;

/// <summary>
/// The relay's Prometheus metrics, with rtpengine's names under a <c>mediarelay_</c> prefix. Every value is read when
/// Prometheus scrapes (a before-collect callback: one snapshot of the running calls, the ended calls' sums, the
/// transport's own counters); nothing is counted per packet. A registry of its own keeps prometheus-net's default
/// process metrics and its .NET meter adapter out.
/// </summary>
public sealed class RelayMetrics
{
    private readonly TrafficRates _rates;
    private readonly EndedSessions _ended;
    private readonly RelayStatus _status;
    private readonly ManagementOptions _options;
    private readonly Gauge _sessions;
    private readonly Counter _sessionsTotal;
    private readonly Counter _closed;
    private readonly Gauge _streams;
    private readonly Counter _oneWay;
    private readonly Counter _zeroPacket;
    private readonly Counter _packets;
    private readonly Counter _bytes;
    private readonly Counter _errors;
    private readonly Gauge _portsUsed;
    private readonly Gauge _portsFree;
    private readonly Gauge _uptime;
    private readonly Counter _transport;
    private readonly ProcessGauges _process;

    public RelayMetrics(TrafficRates rates, EndedSessions ended, RelayStatus status, ManagementOptions options)
    {
        _rates = rates;
        _ended = ended;
        _status = status;
        _options = options;
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _sessions = factory.CreateGauge("mediarelay_sessions", "Calls running now; type=\"own\": all of them (the relay keeps no foreign calls)", "type");
        _sessionsTotal = factory.CreateCounter("mediarelay_sessions_total", "Calls created since the start");
        _closed = factory.CreateCounter("mediarelay_closed_sessions_total", "Calls ended since the start, by reason", "reason");
        _streams = factory.CreateGauge("mediarelay_mediastreams", "Media streams running now, by path: kernel while the kernel forwards any of its directions", "type");
        _oneWay = factory.CreateCounter("mediarelay_one_way_sessions_total", "Ended calls whose RTP flowed in one direction only");
        _zeroPacket = factory.CreateCounter("mediarelay_zero_packet_streams_total", "Streams of ended calls that relayed no RTP packet");
        _packets = factory.CreateCounter("mediarelay_packets_total", "Media packets relayed, by path", "type");
        _bytes = factory.CreateCounter("mediarelay_bytes_total", "Media bytes relayed (UDP payload), by path", "type");
        _errors = factory.CreateCounter("mediarelay_packet_errors_total", "Packets dropped (malformed, from an unexpected source), by path", "type");
        _portsUsed = factory.CreateGauge("mediarelay_ports_used", "Media ports bound now");
        _portsFree = factory.CreateGauge("mediarelay_ports_free", "Media ports free now");
        _uptime = factory.CreateGauge("mediarelay_uptime_seconds", "Seconds since the relay started");
        _transport = factory.CreateCounter("mediarelay_transport_events_total", "The packet loops' own counters (received packets, batches, refused sends, ...)", "event");
        Requests = new RequestMetrics(factory);
        _process = new ProcessGauges(factory);
        Registry.AddBeforeCollectCallback(Collect);
    }

    public CollectorRegistry Registry { get; }

    /// <summary>The control requests' count and duration histogram.</summary>
    public RequestMetrics Requests { get; }

    private void Collect()
    {
        var sample = _rates.Now();
        var totals = sample.Totals;
        _sessions.WithLabels("own").Set(totals.CurrentSessions);
        _sessionsTotal.IncTo(totals.SessionsCreated);
        foreach (var (reason, count) in _ended.Reasons)
        {
            _closed.WithLabels(reason).IncTo(count);
        }

        _streams.WithLabels("userspace").Set(sample.UserSpaceStreams);
        _streams.WithLabels("kernel").Set(sample.KernelStreams);
        _oneWay.IncTo(_ended.OneWay);
        _zeroPacket.IncTo(_ended.ZeroPacketStreams);
        _packets.WithLabels("userspace").IncTo(sample.Traffic.UserPackets);
        _packets.WithLabels("kernel").IncTo(sample.Traffic.KernelPackets);
        _bytes.WithLabels("userspace").IncTo(sample.Traffic.UserBytes);
        _bytes.WithLabels("kernel").IncTo(sample.Traffic.KernelBytes);
        _errors.WithLabels("userspace").IncTo(sample.Traffic.Errors);
        _portsUsed.Set(totals.PortsInUse);
        _portsFree.Set(sample.PortsFree);
        _uptime.Set(Math.Round(_status.Uptime.TotalSeconds, 3));
        if (_options.TransportCounters is { } counters)
        {
            foreach (var (name, value) in counters())
            {
                _transport.WithLabels(name).IncTo(value);
            }
        }

        _process.Collect();
    }
}
