using System.Runtime.InteropServices;

namespace MediaRelay.Control.Ng;

/// <summary>
/// Remembers the reply to each cookie so a retransmitted request gets the byte-identical reply and its command
/// does not run twice (a repeated offer would otherwise allocate new ports). A copy that arrives while the first
/// still runs waits for the same reply. Replies expire <c>lifetime</c> after they were produced; beyond
/// <c>capacity</c> replies, or beyond <c>maxBytes</c> of replies and bookkeeping, the oldest go first (a flood of
/// queries for a big call must not hold gigabytes for the lifetime). An entry still waiting for its reply counts
/// only its bookkeeping and is never dropped: its command runs and its waiters need the reply.
/// The replies' bytes live in native memory, freed the moment a reply expires or is pushed out: tens of megabytes
/// of replies that outlive every young collection would otherwise sit in the GC's oldest generation, lengthen each
/// full collection and stay resident, dead, until the next one (issue 10: offer p99 and memory per call).
/// Threading: every method takes one lock; safe from any thread. Dispose frees every reply; after it the cache
/// keeps nothing (Begin says Run, Complete stores nothing).
/// </summary>
/// <typeparam name="TPeer">Where a waiting copy's reply must go.</typeparam>
internal sealed unsafe class NgReplyCache<TPeer>(TimeProvider time, TimeSpan lifetime, int capacity, long maxBytes) : IDisposable
{
    /// <summary>What an entry costs besides its reply: the entry, the dictionary and queue slots, the cookie string's header.</summary>
    internal const int EntryOverhead = 128;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Queue<(string Cookie, Entry Entry)> _completed = new();
    private readonly Lock _lock = new();
    private long _bytes;
    private long _nativeBytes;
    private bool _disposed;

    public enum Outcome
    {
        /// <summary>First sight of the cookie: the caller must run the command, then call Complete.</summary>
        Run,
        /// <summary>The reply is known and returned: send it again.</summary>
        Replay,
        /// <summary>The first copy still runs; the peer was queued and gets the reply from Complete.</summary>
        Wait,
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The bytes the entries are counted as: replies, cookies and <see cref="EntryOverhead"/> each.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Native memory held by the replies now.</summary>
    public long NativeBytes
    {
        get
        {
            lock (_lock)
            {
                return _nativeBytes;
            }
        }
    }

    /// <summary>
    /// First sight of a cookie: Run. A known reply: Replay, with a copy of it (retransmissions are rare; the copy
    /// is the caller's to keep while the cache may free its own). A reply still being built: Wait.
    /// </summary>
    public Outcome Begin(string cookie, TPeer peer, out byte[]? reply)
    {
        lock (_lock)
        {
            reply = null;
            if (_disposed)
            {
                return Outcome.Run;
            }

            Prune(time.GetUtcNow());
            if (_entries.TryGetValue(cookie, out var entry))
            {
                if (entry.Reply is not null)
                {
                    reply = new ReadOnlySpan<byte>(entry.Reply, entry.Length).ToArray();
                    return Outcome.Replay;
                }

                (entry.Waiters ??= []).Add(peer);
                return Outcome.Wait;
            }

            entry = new Entry { Cost = Cost(cookie, 0) };
            _entries.Add(cookie, entry);
            _bytes += entry.Cost;
            return Outcome.Run;
        }
    }

    /// <summary>Stores a copy of the reply and returns the peers that waited for it (empty when none).</summary>
    public IReadOnlyList<TPeer> Complete(string cookie, ReadOnlySpan<byte> reply)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return [];
            }

            var now = time.GetUtcNow();
            if (!_entries.TryGetValue(cookie, out var entry))
            {
                entry = new Entry();
                _entries.Add(cookie, entry);
            }

            var cost = Cost(cookie, reply.Length);
            _bytes += cost - entry.Cost;
            entry.Cost = cost;
            Free(entry);
            entry.Reply = (byte*)NativeMemory.Alloc((nuint)Math.Max(1, reply.Length));
            entry.Length = reply.Length;
            reply.CopyTo(new Span<byte>(entry.Reply, reply.Length));
            _nativeBytes += reply.Length;
            entry.Expires = now + lifetime;
            _completed.Enqueue((cookie, entry));
            IReadOnlyList<TPeer> waiters = entry.Waiters ?? (IReadOnlyList<TPeer>)[];
            entry.Waiters = null;
            Prune(now);
            return waiters;
        }
    }

    /// <summary>
    /// Forgets a cookie whose command failed without a reply: its retransmissions run it again instead of waiting for
    /// a reply that never comes. Returns the peers that waited (they get no reply, as the first copy did not).
    /// </summary>
    public IReadOnlyList<TPeer> Abandon(string cookie)
    {
        lock (_lock)
        {
            if (_disposed || !_entries.TryGetValue(cookie, out var entry) || entry.Reply is not null)
            {
                return [];
            }

            _entries.Remove(cookie);
            _bytes -= entry.Cost;
            IReadOnlyList<TPeer> waiters = entry.Waiters ?? (IReadOnlyList<TPeer>)[];
            entry.Waiters = null;
            return waiters;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var entry in _entries.Values)
            {
                Free(entry);
            }

            _entries.Clear();
            _completed.Clear();
            _bytes = 0;
        }
    }

    /// <summary>A cookie string is 2 bytes a character; a pending entry has no reply yet.</summary>
    private static long Cost(string cookie, int replyLength) => EntryOverhead + (2L * cookie.Length) + replyLength;

    private void Free(Entry entry)
    {
        if (entry.Reply is not null)
        {
            NativeMemory.Free(entry.Reply);
            _nativeBytes -= entry.Length;
            entry.Reply = null;
            entry.Length = 0;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        // Replies are completed in time order with one lifetime, so the queue is also in expiry order.
        while (_completed.TryPeek(out var oldest)
            && (oldest.Entry.Expires <= now || _completed.Count > capacity || _bytes > maxBytes))
        {
            _completed.Dequeue();
            // The cookie may have been reused after expiry; only remove the entry this queue slot describes.
            if (_entries.TryGetValue(oldest.Cookie, out var current) && ReferenceEquals(current, oldest.Entry))
            {
                _entries.Remove(oldest.Cookie);
                _bytes -= current.Cost;
            }

            Free(oldest.Entry);
        }
    }

    private sealed class Entry
    {
        public byte* Reply { get; set; }

        public int Length { get; set; }

        public DateTimeOffset Expires { get; set; }

        public List<TPeer>? Waiters { get; set; }

        /// <summary>What this entry adds to the cache's byte count.</summary>
        public long Cost { get; set; }
    }
}
