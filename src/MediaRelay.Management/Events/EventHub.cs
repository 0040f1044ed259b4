using System.Collections.Concurrent;
using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Threading.Channels;
using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;
using MediaRelay.Management.Api;
using MediaRelay.Management.Sampling;

namespace MediaRelay.Management.Events;

/// <summary>
/// Fans the relay's events out to every <c>/api/events</c> client: <c>session_started</c> and <c>session_ended</c>
/// (a session, as <c>GET /api/sessions/{callId}</c> shows it) and <c>totals</c> once a second. Each client has a
/// bounded queue; a client that does not read loses its oldest events, never the relay's memory. Nothing is
/// serialised while no client listens.
/// </summary>
public sealed class EventHub : IDisposable
{
    public const string SessionStarted = "session_started";
    public const string SessionEnded = "session_ended";
    public const string Totals = "totals";

    private const int QueueLength = 1024;

    private readonly ConcurrentDictionary<Channel<SseItem<string>>, byte> _clients = new();
    private readonly ISessionApi _sessions;
    private readonly TrafficRates _rates;
    private readonly TimeProvider _time;
    private readonly Lock _subscription = new();
    private bool _listening;
    private bool _disposed;

    public EventHub(ISessionApi sessions, TrafficRates rates, TimeProvider time)
    {
        _sessions = sessions;
        _rates = rates;
        _time = time;
        _rates.Sampled += OnSampled;
    }

    public int Clients => _clients.Count;

    /// <summary>A new client's queue; it ends when the hub is disposed.</summary>
    public ChannelReader<SseItem<string>> Subscribe(out Action unsubscribe)
    {
        var channel = Channel.CreateBounded<SseItem<string>>(new BoundedChannelOptions(QueueLength)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        _clients.TryAdd(channel, 0);
        Listen();
        unsubscribe = () =>
        {
            _clients.TryRemove(channel, out _);
            Listen();
        };
        return channel.Reader;
    }

    /// <summary>
    /// Takes the session API's started and ended events only while a client listens: the session API builds a new
    /// session's figures for each started-subscriber under its control lock, and each event's view costs, once per
    /// call, for nobody otherwise.
    /// </summary>
    private void Listen()
    {
        lock (_subscription)
        {
            var wanted = !_clients.IsEmpty && !_disposed;
            if (wanted != _listening)
            {
                if (wanted)
                {
                    _sessions.SessionStarted += OnStarted;
                    _sessions.SessionEnded += OnEnded;
                }
                else
                {
                    _sessions.SessionStarted -= OnStarted;
                    _sessions.SessionEnded -= OnEnded;
                }

                _listening = wanted;
            }
        }
    }

    private void Publish<T>(string type, T data)
    {
        if (_clients.IsEmpty)
        {
            return;
        }

        var item = new SseItem<string>(JsonSerializer.Serialize(data, ManagementJson.Options), type);
        foreach (var client in _clients.Keys)
        {
            client.Writer.TryWrite(item);
        }
    }

    private void OnStarted(SessionStatistics call) => Publish(SessionStarted, SessionViews.From(call, _time.GetUtcNow()));

    private void OnEnded(SessionStatistics call) => Publish(SessionEnded, SessionViews.From(call, _time.GetUtcNow()));

    private void OnSampled(RelaySample sample, TrafficRates rates) => Publish(Totals, new TotalsView(
        sample.Time, sample.Totals.CurrentSessions, sample.Streams, Math.Round(rates.PacketsPerSecond, 1), (long)rates.BitsPerSecond,
        sample.Traffic.Packets, sample.Traffic.Bytes, sample.Totals.PortsInUse, sample.PortsFree));

    /// <summary>Ends every client's stream.</summary>
    public void Dispose()
    {
        lock (_subscription)
        {
            _disposed = true;
        }

        Listen();
        _rates.Sampled -= OnSampled;
        foreach (var client in _clients.Keys)
        {
            client.Writer.TryComplete();
        }

        _clients.Clear();
    }
}
