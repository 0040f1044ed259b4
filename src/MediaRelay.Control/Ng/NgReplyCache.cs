namespace MediaRelay.Control.Ng;

/// <summary>
/// Remembers the reply to each cookie so a retransmitted request gets the byte-identical reply and its command
/// does not run twice (a repeated offer would otherwise allocate new ports). A copy that arrives while the first
/// still runs waits for the same reply. Replies expire <c>lifetime</c> after they were produced; beyond
/// <c>capacity</c> replies, or beyond <c>maxBytes</c> of replies and bookkeeping, the oldest go first (a flood of
/// queries for a big call must not hold gigabytes for the lifetime). An entry still waiting for its reply counts
/// only its bookkeeping and is never dropped: its command runs and its waiters need the reply.
/// Threading: every method takes one lock; safe from any thread.
/// </summary>
/// <typeparam name="TPeer">Where a waiting copy's reply must go.</typeparam>
internal sealed class NgReplyCache<TPeer>(TimeProvider time, TimeSpan lifetime, int capacity, long maxBytes)
{
    /// <summary>What an entry costs besides its reply: the entry, the dictionary and queue slots, the cookie string's header.</summary>
    internal const int EntryOverhead = 128;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Queue<(string Cookie, Entry Entry)> _completed = new();
    private readonly Lock _lock = new();
    private long _bytes;

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

    public Outcome Begin(string cookie, TPeer peer, out byte[]? reply)
    {
        lock (_lock)
        {
            Prune(time.GetUtcNow());
            if (_entries.TryGetValue(cookie, out var entry))
            {
                reply = entry.Reply;
                if (reply is not null)
                {
                    return Outcome.Replay;
                }

                (entry.Waiters ??= []).Add(peer);
                return Outcome.Wait;
            }

            entry = new Entry { Cost = Cost(cookie, null) };
            _entries.Add(cookie, entry);
            _bytes += entry.Cost;
            reply = null;
            return Outcome.Run;
        }
    }

    /// <summary>Stores the reply and returns the peers that waited for it (empty when none).</summary>
    public IReadOnlyList<TPeer> Complete(string cookie, byte[] reply)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (!_entries.TryGetValue(cookie, out var entry))
            {
                entry = new Entry();
                _entries.Add(cookie, entry);
            }

            var cost = Cost(cookie, reply);
            _bytes += cost - entry.Cost;
            entry.Cost = cost;
            entry.Reply = reply;
            entry.Expires = now + lifetime;
            _completed.Enqueue((cookie, entry));
            IReadOnlyList<TPeer> waiters = entry.Waiters ?? (IReadOnlyList<TPeer>)[];
            entry.Waiters = null;
            Prune(now);
            return waiters;
        }
    }

    /// <summary>A cookie string is 2 bytes a character; a pending entry has no reply yet.</summary>
    private static long Cost(string cookie, byte[]? reply) => EntryOverhead + (2L * cookie.Length) + (reply?.Length ?? 0);

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
        }
    }

    private sealed class Entry
    {
        public byte[]? Reply { get; set; }

        public DateTimeOffset Expires { get; set; }

        public List<TPeer>? Waiters { get; set; }

        /// <summary>What this entry adds to the cache's byte count.</summary>
        public long Cost { get; set; }
    }
}
