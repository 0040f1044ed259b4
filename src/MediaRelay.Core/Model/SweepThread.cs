namespace MediaRelay.Core.Model;

/// <summary>
/// Runs the timeout sweep every interval on a thread of its own that sleeps in the kernel between sweeps (a timer
/// would wake the timer thread, a thread-pool worker, which then spins looking for more work, and the pool's gate
/// thread every second: most of an idle relay's CPU once its calls run in the kernel). While the relay has no
/// session it rests until <see cref="Wake"/>. Threading: Rest and Wake from any thread.
/// </summary>
internal sealed class SweepThread
{
    private readonly object _wake = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Action _sweep;
    private bool _stopping;
    private volatile bool _mayRest;

    public SweepThread(TimeProvider time, TimeSpan interval, Action sweep)
    {
        _time = time;
        _interval = interval;
        _sweep = sweep;
        new Thread(Loop) { IsBackground = true, Name = "mr-sweep" }.Start();
    }

    /// <summary>The last sweep found no session: nothing can time out until an offer creates one (it wakes us).</summary>
    public void Rest(bool idle) => _mayRest = idle;

    /// <summary>A session was created: sweep again on time.</summary>
    public void Wake()
    {
        if (_mayRest)
        {
            lock (_wake)
            {
                _mayRest = false;
                Monitor.Pulse(_wake);
            }
        }
    }

    public void Stop()
    {
        lock (_wake)
        {
            _stopping = true;
            Monitor.Pulse(_wake);
        }
    }

    private void Loop()
    {
        var interval = _time.Ticks(_interval);
        var next = _time.GetTimestamp() + interval;
        while (true)
        {
            lock (_wake)
            {
                while (!_stopping)
                {
                    if (_mayRest)
                    {
                        Monitor.Wait(_wake);
                        next = _time.GetTimestamp() + interval;
                        continue;
                    }

                    var left = _time.GetElapsedTime(_time.GetTimestamp(), next);
                    if (left <= TimeSpan.Zero)
                    {
                        break;
                    }

                    // Rounded up: a wait rounded down to 0 ms would spin until the sweep is due.
                    Monitor.Wait(_wake, (int)Math.Ceiling(left.TotalMilliseconds));
                }

                if (_stopping)
                {
                    return;
                }
            }

            var now = _time.GetTimestamp();
            next = Math.Max(next + interval, now + (interval / 2)); // a late sweep does not cause a burst of them
            _sweep();
        }
    }
}
