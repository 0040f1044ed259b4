using MediaRelay.Protocols.Rtp;

namespace MediaRelay.Core.Quality;

/// <summary>
/// What the relay itself sees of one party's RTP (RFC 3550 appendix A): packets expected from the sequence numbers
/// and received, so loss, and the interarrival jitter of A.8, for the party's current SSRC (a new SSRC starts a new
/// count; the earlier ones' figures are kept in the totals). No allocation, no lock.
/// Threading: <see cref="OnRtp"/> runs on the receive thread of the party's RTP port only; readers on other threads
/// see each figure whole (64-bit fields) though not always all from the same packet.
/// </summary>
internal sealed class RtpReception
{
    /// <summary>A jump this far ahead of the highest sequence number is a new sequence (a restart), not loss.</summary>
    private const int MaxDropout = 3000;

    /// <summary>A packet this far behind is a restart too; nearer, it is late or duplicated.</summary>
    private const int MaxMisorder = 100;

    private uint _ssrc;
    private bool _started;
    private long _baseSequence;
    private long _maxSequence;
    private long _received;
    private long _previousExpected;
    private long _previousReceived;
    private long _lastTransit;
    private long _arrivalBase;
    private long _jitter16; // RFC 3550 A.8 integer form: jitter in timestamp units, times 16
    private int _clockRate = 8000;

    public uint Ssrc => _ssrc;

    /// <summary>Packets the sequence numbers say were sent, over every SSRC seen.</summary>
    public long Expected => _previousExpected + (_started ? Volatile.Read(ref _maxSequence) - Volatile.Read(ref _baseSequence) + 1 : 0);

    /// <summary>Packets that arrived (duplicates included, as RFC 3550 counts them), over every SSRC seen.</summary>
    public long Received => _previousReceived + Volatile.Read(ref _received);

    /// <summary>Expected less received; negative with duplicates, so clamped to 0.</summary>
    public long Lost => Math.Max(0, Expected - Received);

    /// <summary>The current SSRC's interarrival jitter in milliseconds.</summary>
    public double JitterMilliseconds => Volatile.Read(ref _jitter16) / 16.0 * 1000.0 / _clockRate;

    /// <param name="header">The packet's RTP header.</param>
    /// <param name="arrival">The arrival time in <see cref="TimeProvider"/> timestamp ticks.</param>
    /// <param name="ticksPerSecond">The timestamp frequency of those ticks.</param>
    /// <param name="clockRate">The RTP clock rate of the payload (8000 for G.711, 48000 for Opus, 90000 for video).</param>
    public void OnRtp(in RtpHeader header, long arrival, long ticksPerSecond, int clockRate)
    {
        if (!_started || header.Ssrc != _ssrc)
        {
            _arrivalBase = arrival;
        }

        // Exact in integers, for a call of any length: whole seconds, then the rest of a second.
        var elapsed = arrival - _arrivalBase;
        var arrivalUnits = (elapsed / ticksPerSecond * clockRate) + (elapsed % ticksPerSecond * clockRate / ticksPerSecond);
        if (!_started || header.Ssrc != _ssrc)
        {
            Restart(header, arrivalUnits, clockRate, keepTotals: _started);
            return;
        }

        var max = _maxSequence;
        var delta = (short)(header.SequenceNumber - (ushort)max);
        if (delta > 0 && delta < MaxDropout)
        {
            Volatile.Write(ref _maxSequence, max + delta);
        }
        else if (delta <= 0 && delta > -MaxMisorder)
        {
            // Late or duplicated: counted, the highest sequence stays.
        }
        else
        {
            Restart(header, arrivalUnits, clockRate, keepTotals: true);
            return;
        }

        Volatile.Write(ref _received, _received + 1);
        var transit = arrivalUnits - header.Timestamp;
        var d = Math.Abs(transit - _lastTransit);
        _lastTransit = transit;
        // A.8: J = J + (|D| - J) / 16, kept as 16 J in integers. A timestamp jump (a new talk spurt, a marker)
        // over a second is not jitter.
        if (d < clockRate)
        {
            Volatile.Write(ref _jitter16, _jitter16 + d - ((_jitter16 + 8) >> 4));
        }
    }

    private void Restart(in RtpHeader header, long arrivalUnits, int clockRate, bool keepTotals)
    {
        if (keepTotals)
        {
            _previousExpected = Expected;
            _previousReceived = Received;
        }

        _ssrc = header.Ssrc;
        _clockRate = clockRate;
        Volatile.Write(ref _baseSequence, header.SequenceNumber);
        Volatile.Write(ref _maxSequence, header.SequenceNumber);
        Volatile.Write(ref _received, 1);
        Volatile.Write(ref _jitter16, 0);
        _lastTransit = arrivalUnits - header.Timestamp;
        _started = true;
    }
}
