namespace MediaRelay.Core.Model;

/// <summary>
/// Calls whose removal waits out a delay (rtpengine's <c>delete delay</c>): the call keeps relaying and answering
/// queries until its timer fires, which lets late media and late accounting queries through. A second schedule
/// restarts the timer with its own delay; <see cref="Cancel"/> revives the call. Threading: one lock of its own;
/// timers fire on the thread pool and call <paramref name="remove"/> outside the lock.
/// </summary>
internal sealed class DelayedRemovals(TimeProvider time, Action<string> remove) : IDisposable
{
    private readonly Dictionary<string, ITimer> _pending = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _disposed;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    public bool IsPending(string callId)
    {
        lock (_lock)
        {
            return _pending.ContainsKey(callId);
        }
    }

    /// <summary>Removes the call after the delay, replacing any delay already running for it.</summary>
    public void Schedule(string callId, TimeSpan delay)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            if (_pending.Remove(callId, out var earlier))
            {
                earlier.Dispose();
            }

            // Created stopped, stored, then started: the callback can then always find its own timer.
            var timer = time.CreateTimer(Fire, callId, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _pending.Add(callId, timer);
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Stops a pending removal; true when there was one.</summary>
    public bool Cancel(string callId)
    {
        lock (_lock)
        {
            if (!_pending.Remove(callId, out var timer))
            {
                return false;
            }

            timer.Dispose();
            return true;
        }
    }

    private void Fire(object? state)
    {
        var callId = (string)state!;
        lock (_lock)
        {
            if (!_pending.Remove(callId, out var timer))
            {
                return;
            }

            timer.Dispose();
        }

        remove(callId);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var timer in _pending.Values)
            {
                timer.Dispose();
            }

            _pending.Clear();
        }
    }
}
