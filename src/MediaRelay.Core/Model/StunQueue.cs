using System.Net;
using MediaRelay.Core.Api;

namespace MediaRelay.Core.Model;

/// <summary>
/// STUN held briefly while its destination is unknown (the other party has neither SDP nor a learned address
/// yet), so the relay works as an ICE relay candidate from the first check. Buffers are allocated on first use
/// only; media never comes here. Threading: guarded by its own lock, taken only on this rare path.
/// </summary>
internal sealed class StunQueue
{
    public const int Capacity = 8;
    public const int MaxPacket = 1500;

    private readonly byte[][] _buffers = new byte[Capacity][];
    private readonly int[] _lengths = new int[Capacity];
    private readonly long[] _queuedAt = new long[Capacity];
    private readonly Lock _gate = new();
    private int _count;

    /// <summary>Queues a copy; false (and the packet is dropped) when full or oversized.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> packet, long now)
    {
        if (packet.Length > MaxPacket)
        {
            return false;
        }

        lock (_gate)
        {
            if (_count == Capacity)
            {
                return false;
            }

            var buffer = _buffers[_count] ??= new byte[MaxPacket];
            packet.CopyTo(buffer);
            _lengths[_count] = packet.Length;
            _queuedAt[_count] = now;
            _count++;
            return true;
        }
    }

    /// <summary>Sends every packet younger than <paramref name="maxAgeTicks"/> and empties the queue; returns how many were sent.</summary>
    public int Flush(IRelaySocket socket, SocketAddress destination, long now, long maxAgeTicks)
    {
        lock (_gate)
        {
            var sent = 0;
            for (var i = 0; i < _count; i++)
            {
                if (now - _queuedAt[i] <= maxAgeTicks && socket.Send(_buffers[i].AsSpan(0, _lengths[i]), destination))
                {
                    sent++;
                }
            }

            _count = 0;
            return sent;
        }
    }
}
