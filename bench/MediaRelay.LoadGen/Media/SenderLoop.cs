using System.Diagnostics;

namespace MediaRelay.LoadGen.Media;

/// <summary>
/// One sender thread over a fixed set of legs. Packet k goes to leg k mod n at start + k × period / n, so the
/// legs' sends are spread evenly over each period instead of bursting at its start. When nothing is due the thread
/// sleeps (about 1 ms on Linux) unless the gap is below the spin threshold, where it yields in a loop: media mode
/// never does, flood mode does for precise high rates. When it falls behind it catches up, and the achieved rate shows it.
/// </summary>
internal sealed class SenderLoop
{
    private readonly MediaLeg[] _legs;
    private readonly double _ticksBetweenSends;
    private readonly long _spinThresholdTicks;
    private readonly Thread _thread;
    private volatile bool _stop;

    public SenderLoop(MediaLeg[] legs, double periodSeconds, bool spin, string name)
    {
        _legs = legs;
        _ticksBetweenSends = periodSeconds * Stopwatch.Frequency / legs.Length;
        _spinThresholdTicks = spin ? Stopwatch.Frequency / 500 : 0;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    public void Start() => _thread.Start();

    public void Stop()
    {
        _stop = true;
        _thread.Join();
    }

    private void Run()
    {
        var legs = _legs;
        var count = legs.Length;
        var start = Stopwatch.GetTimestamp();
        long k = 0;
        var index = 0;
        while (!_stop)
        {
            var due = start + (long)(k * _ticksBetweenSends);
            var now = Stopwatch.GetTimestamp();
            if (due <= now)
            {
                // Send everything due now, checking the stop flag every so often even while catching up.
                var budget = 256;
                while (due <= now && budget-- > 0)
                {
                    legs[index].SendNext();
                    k++;
                    index++;
                    if (index == count)
                    {
                        index = 0;
                    }

                    due = start + (long)(k * _ticksBetweenSends);
                }

                continue;
            }

            if (due - now > _spinThresholdTicks)
            {
                Thread.Sleep(1);
            }
            else
            {
                // Yield rather than spin: on a small shared machine the relay needs the core more than we do.
                Thread.Yield();
            }
        }
    }
}
