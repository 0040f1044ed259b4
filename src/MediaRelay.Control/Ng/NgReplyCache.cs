namespace MediaRelay.Control.Ng;

/// <summary>
/// Remembers the reply to each cookie so a retransmitted request gets the byte-identical reply and its command
/// does not run twice (a repeated offer would otherwise allocate new ports). A copy that arrives while the first
/// still runs waits for the same reply. Replies expire <c>lifetime</c> after they were produced; beyond
/// <c>capacity</c> the oldest go first. Threading: every method takes one lock; safe from any thread.
/// </summary>
/// <typeparam name="TPeer">Where a waiting copy's reply must go.</typeparam>
internal sealed class NgReplyCache<TPeer>(TimeProvider time, TimeSpan lifetime, int capacity)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Queue<(string Cookie, Entry Entry)> _completed = new();
    private readonly Lock _lock = new();

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

            _entries.Add(cookie, new Entry());
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

            entry.Reply = reply;
            entry.Expires = now + lifetime;
            _completed.Enqueue((cookie, entry));
            IReadOnlyList<TPeer> waiters = entry.Waiters ?? (IReadOnlyList<TPeer>)[];
            entry.Waiters = null;
            Prune(now);
            return waiters;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        while (_completed.TryPeek(out var oldest) && (oldest.Entry.Expires <= now || _completed.Count > capacity))
        {
            _completed.Dequeue();
            // The cookie may have been reused after expiry; only remove the entry this queue slot describes.
            if (_entries.TryGetValue(oldest.Cookie, out var current) && ReferenceEquals(current, oldest.Entry))
            {
                _entries.Remove(oldest.Cookie);
            }
        }
    }

    private sealed class Entry
    {
        public byte[]? Reply { get; set; }

        public DateTimeOffset Expires { get; set; }

        public List<TPeer>? Waiters { get; set; }
    }
}
