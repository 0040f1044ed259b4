using System.Collections.Concurrent;
using System.Diagnostics;
using MediaRelay.Core.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Core.Forwarding;

/// <summary>
/// The kernel worker (DESIGN 4.1): Core posts "offload" and "remove" for single directions here and never makes
/// a kernel call on a packet loop or under a lock; one thread applies what was posted, in order and in batches,
/// and reads the counters of every installed flow every <c>readInterval</c> in one pass, so the sweep and the
/// statistics only read cached values. Posting is lock-free (a concurrent queue and a flag; the worker is woken only
/// when it may be asleep). The worker sleeps without spinning, and with no flow installed it sleeps until a post: an
/// idle relay, or one whose calls all run in the kernel, costs one wake-up per read interval at most.
/// Threading: <see cref="Offload"/>, <see cref="Remove"/> and <see cref="Flush"/> from any thread; the backend is
/// called on the worker thread only.
/// </summary>
public sealed class KernelQueue : IDisposable
{
    private readonly IKernelBackend? _backend;
    private readonly TimeProvider _time;
    private readonly TimeSpan _readInterval;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<(KernelFlow Flow, bool Install, long PostedAt, KernelFlow[]? ReadSet)> _changes = new();
    private readonly object _wakeGate = new();
    private readonly List<KernelFlow> _installed = []; // the worker's alone (Dispose reads it after the worker ended)
    private (long Packets, long Bytes)[] _counters = [];
    private readonly object _flushGate = new();
    private readonly Thread? _worker;
    private long _posted;
    private long _applied;
    private long _installs;
    private long _installTicks;
    private long _refused;
    private int _signalled;
    private volatile bool _readRequested;
    private volatile bool _stopping;

    /// <summary>A queue without a backend: every direction stays in user space.</summary>
    public static KernelQueue UserSpaceOnly { get; } = new(null, TimeProvider.System, TimeSpan.FromSeconds(1));

    public KernelQueue(IKernelBackend? backend, TimeProvider time, TimeSpan readInterval, ILogger? logger = null)
    {
        _backend = backend;
        _time = time;
        _readInterval = readInterval;
        _logger = logger ?? NullLogger.Instance;
        if (backend is not null)
        {
            _worker = new Thread(Run) { IsBackground = true, Name = "mr-kernel" };
            _worker.Start();
        }
    }

    /// <summary>True when a kernel backend is there to take flows.</summary>
    public bool Enabled => _backend is not null;

    /// <summary>How often the counters of installed flows are read.</summary>
    public TimeSpan ReadInterval => _readInterval;

    /// <summary>Directions the kernel took since start.</summary>
    public long Installs => Interlocked.Read(ref _installs);

    /// <summary>Directions the kernel refused (they stayed in user space).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Mean time from posting a direction to the kernel holding it, in microseconds.</summary>
    public double MeanInstallMicroseconds
    {
        get
        {
            var installs = Interlocked.Read(ref _installs);
            return installs == 0 ? 0 : Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _installTicks) / installs).TotalMicroseconds;
        }
    }

    /// <summary>Posts one direction for the kernel. False (and nothing posted) when there is no backend.</summary>
    public bool Offload(KernelFlow flow)
    {
        if (_backend is null || _stopping)
        {
            flow.SetState(KernelFlowState.Refused);
            return false;
        }

        Post(flow, install: true);
        return true;
    }

    /// <summary>Posts the removal of a direction posted before; its final counters land in the flow.</summary>
    public void Remove(KernelFlow flow)
    {
        if (_backend is not null)
        {
            Post(flow, install: false);
        }
    }

    /// <summary>
    /// Waits until everything posted so far is applied (and, with <paramref name="readCounters"/>, the counters of
    /// every installed flow read), so the statistics that follow include every kernel packet. False on timeout.
    /// </summary>
    public bool Flush(TimeSpan timeout, bool readCounters = false)
    {
        if (_backend is null)
        {
            return true;
        }

        if (readCounters)
        {
            _readRequested = true;
        }

        return Mark(null, timeout);
    }

    /// <summary>
    /// Reads the counters of <paramref name="flows"/> now (an ng query wants them fresh, not up to a read interval
    /// old) and waits for the worker to have done so. False on timeout; nothing to do without a backend.
    /// </summary>
    public bool ReadNow(KernelFlow[] flows, TimeSpan timeout) =>
        _backend is null || flows.Length == 0 || Mark(flows, timeout);

    /// <summary>Posts a marker (with flows to read, or none) and waits until the worker has passed it.</summary>
    private bool Mark(KernelFlow[]? readSet, TimeSpan timeout)
    {
        var target = Interlocked.Increment(ref _posted);
        _changes.Enqueue((null!, false, 0, readSet));
        Wake();
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        lock (_flushGate)
        {
            while (_applied < target)
            {
                var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                if (left <= TimeSpan.Zero || _worker is null || !_worker.IsAlive)
                {
                    return false;
                }

                Monitor.Wait(_flushGate, left);
            }
        }

        return true;
    }

    private void Post(KernelFlow flow, bool install)
    {
        Interlocked.Increment(ref _posted);
        _changes.Enqueue((flow, install, Stopwatch.GetTimestamp(), null));
        Wake();
    }

    /// <summary>Wakes the worker; a post while a wake is pending costs an interlocked exchange and nothing else.</summary>
    private void Wake()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            lock (_wakeGate)
            {
                Monitor.Pulse(_wakeGate);
            }
        }
    }

    /// <summary>
    /// The worker's sleep: until a post, or for <paramref name="milliseconds"/> (-1: no limit). Monitor.Wait blocks in
    /// the kernel at once (SemaphoreSlim spun for about a millisecond first, at every wait, even with nothing to do).
    /// </summary>
    private void Sleep(int milliseconds)
    {
        lock (_wakeGate)
        {
            if (Volatile.Read(ref _signalled) == 0 && !_stopping)
            {
                Monitor.Wait(_wakeGate, milliseconds);
            }
        }

        // Taken before the queue is drained: a post after this either lands in the drain or sets the flag again.
        Interlocked.Exchange(ref _signalled, 0);
    }

    private void Run()
    {
        var nextRead = long.MaxValue; // no flow installed: no read due
        var slack = _time.TimestampFrequency / 500; // 2 ms: a timed wait may end a little early
        while (!_stopping)
        {
            long consumed = 0;
            try
            {
                Sleep(nextRead == long.MaxValue ? Timeout.Infinite : MillisecondsUntil(nextRead));
                consumed = Apply();
                var now = _time.GetTimestamp();
                var anyInstalled = _installed.Count > 0;

                if (_readRequested || (anyInstalled && now >= nextRead - slack))
                {
                    _readRequested = false;
                    ReadAll(now);
                    nextRead = anyInstalled ? now + _time.Ticks(_readInterval) : long.MaxValue;
                }
                else if (!anyInstalled)
                {
                    nextRead = long.MaxValue;
                }
                else if (nextRead == long.MaxValue)
                {
                    nextRead = now + _time.Ticks(_readInterval); // the first flow since none: read one interval on
                }
            }
            catch (ObjectDisposedException) when (_stopping)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A failed read must not stop the worker: the counters stay as last read.
                CoreLog.KernelWorkerFailed(_logger, e);
            }
            finally
            {
                // Every entry taken off the queue counts, whatever happened to it: Flush never waits for a lost one.
                Complete(consumed);
            }
        }
    }

    /// <summary>
    /// Milliseconds from now to <paramref name="timestamp"/>, rounded up (a wait of 0.9 ms rounded down to 0 made the
    /// worker spin until the read was due), at most one read interval (a test clock may stand still).
    /// </summary>
    private int MillisecondsUntil(long timestamp)
    {
        var wait = _time.GetElapsedTime(_time.GetTimestamp(), timestamp);
        return wait <= TimeSpan.Zero ? 0 : (int)Math.Ceiling(Math.Min(wait.TotalMilliseconds, _readInterval.TotalMilliseconds));
    }

    /// <summary>Applies every posted change in order; returns how many entries (markers included) it consumed.</summary>
    private long Apply()
    {
        long consumed = 0;
        while (_changes.TryDequeue(out var change))
        {
            consumed++;
            if (change.Flow is null)
            {
                if (change.ReadSet is { } flows)
                {
                    ReadSome(flows); // a ReadNow marker
                }

                continue; // a Flush marker
            }

            try
            {
                ApplyOne(change.Flow, change.Install, change.PostedAt);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // This direction stays in (or falls back to) user space; the others go on.
                change.Flow.SetState(change.Install ? KernelFlowState.Refused : KernelFlowState.Removed);
                CoreLog.KernelWorkerFailed(_logger, e);
            }
        }

        return consumed;
    }

    private void ApplyOne(KernelFlow flow, bool install, long postedAt)
    {
        if (install)
        {
            if (flow.State != KernelFlowState.Pending)
            {
                return;
            }

            if (_backend!.TryInstall(flow))
            {
                flow.SetState(KernelFlowState.Installed);
                Interlocked.Increment(ref _installs);
                Interlocked.Add(ref _installTicks, Stopwatch.GetTimestamp() - postedAt);
                flow.InstalledIndex = _installed.Count;
                _installed.Add(flow);
            }
            else
            {
                flow.SetState(KernelFlowState.Refused);
                Interlocked.Increment(ref _refused);
            }
        }
        else if (flow.State == KernelFlowState.Installed)
        {
            // Swap-remove: the last installed flow takes this one's place.
            var last = _installed[^1];
            _installed[flow.InstalledIndex] = last;
            last.InstalledIndex = flow.InstalledIndex;
            _installed.RemoveAt(_installed.Count - 1);
            flow.InstalledIndex = -1;

            flow.SetState(KernelFlowState.Removed);
            var (packets, bytes) = _backend!.Remove(flow);
            flow.Update(packets, bytes, _time.GetTimestamp());
        }
        else
        {
            flow.SetState(KernelFlowState.Removed);
        }
    }

    /// <summary>A ReadNow marker: the flows asked for that the kernel still holds.</summary>
    private void ReadSome(KernelFlow[] flows) =>
        Read(Array.FindAll(flows, static f => f.State == KernelFlowState.Installed), _time.GetTimestamp());

    /// <summary>The periodic read: every flow the kernel holds, in place (no copy, no allocation).</summary>
    private void ReadAll(long now) => Read(_installed, now);

    private void Read(IReadOnlyList<KernelFlow> flows, long now)
    {
        if (flows.Count == 0)
        {
            return;
        }

        if (_counters.Length < flows.Count)
        {
            _counters = new (long Packets, long Bytes)[Math.Max(flows.Count, _counters.Length * 2)];
        }

        var counters = _counters.AsSpan(0, flows.Count);
        _backend!.Read(flows, counters);
        var activeUntil = now + _time.Ticks(_readInterval);
        for (var i = 0; i < counters.Length; i++)
        {
            flows[i].Update(counters[i].Packets, counters[i].Bytes, activeUntil);
        }
    }

    private void Complete(long applied)
    {
        lock (_flushGate)
        {
            _applied += applied;
            Monitor.PulseAll(_flushGate);
        }
    }

    /// <summary>Stops the worker, removes every flow the kernel still holds, then disposes the backend (it detaches).</summary>
    public void Dispose()
    {
        if (_worker is null || _stopping)
        {
            return;
        }

        Flush(TimeSpan.FromSeconds(5));
        _stopping = true;
        lock (_wakeGate)
        {
            Monitor.Pulse(_wakeGate);
        }

        if (!_worker.Join(TimeSpan.FromSeconds(5)))
        {
            // The worker is stuck in a kernel call: leave it and the backend alone rather than race it.
            return;
        }

        foreach (var flow in _installed.ToArray())
        {
            ApplyOne(flow, install: false, postedAt: 0);
        }

        _backend!.Dispose();
    }
}
