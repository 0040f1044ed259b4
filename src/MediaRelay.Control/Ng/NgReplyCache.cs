using System.Runtime.InteropServices;

namespace MediaRelay.Control.Ng;

/// <summary>
/// Remembers the reply to each cookie so a retransmitted request gets the byte-identical reply and its command
/// does not run twice (a repeated offer would otherwise allocate new ports). A copy that arrives while the first
/// still runs waits for the same reply. Replies expire <c>lifetime</c> after they were produced; beyond
/// <c>capacity</c> replies, or beyond <c>maxBytes</c> of replies and bookkeeping, the oldest go first (a flood of
/// queries for a big call must not hold gigabytes for the lifetime). An entry still waiting for its reply counts
/// only its bookkeeping and is never dropped: its command runs and its waiters need the reply.
/// Nothing of an entry lives on the GC heap: the cookie and the reply are one native block, freed the moment the
/// entry expires or is pushed out, and the table is an array of structs without references. Tens of thousands of
/// entries that outlive every young collection would otherwise be promoted, copied, and left dead in the oldest
/// generation until a full collection (issue 10: offer p99 and memory per call). Only the peers of copies that wait
/// for a reply still being built are managed objects, and only while they wait.
/// Threading: every method takes one lock; safe from any thread. Dispose frees every entry; after it the cache
/// keeps nothing (Begin says Run, Complete stores nothing).
/// </summary>
/// <typeparam name="TPeer">Where a waiting copy's reply must go.</typeparam>
internal sealed unsafe class NgReplyCache<TPeer> : IDisposable
{
    /// <summary>What an entry costs besides its reply: its slot, its share of the table, the block's header.</summary>
    internal const int EntryOverhead = 128;

    private const int None = -1;
    private const int Pending = -1;

    private readonly TimeProvider _time;
    private readonly long _lifetime;
    private readonly int _capacity;
    private readonly long _maxBytes;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, List<TPeer>> _waiters = [];
    private Slot[] _slots = new Slot[1024];
    private int[] _buckets = new int[1024];
    private int _highWater;
    private int _free = None;
    private int _count;
    private int _oldest = None;
    private int _newest = None;
    private int _completed;
    private long _bytes;
    private long _nativeBytes;
    private bool _disposed;

    public NgReplyCache(TimeProvider time, TimeSpan lifetime, int capacity, long maxBytes)
    {
        _time = time;
        _lifetime = lifetime.Ticks;
        _capacity = capacity;
        _maxBytes = maxBytes;
        _buckets.AsSpan().Fill(None);
    }

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
                return _count;
            }
        }
    }

    /// <summary>The bytes the entries are counted as: replies, cookies (2 bytes a character) and <see cref="EntryOverhead"/> each.</summary>
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

    /// <summary>Native memory held by the replies now (each cookie's copy rides in its reply's block besides).</summary>
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

            var now = _time.GetUtcNow().UtcTicks;
            Prune(now);
            var hash = cookie.GetHashCode();
            var index = Find(cookie, hash);
            if (index != None)
            {
                ref var slot = ref _slots[index];
                if (slot.ReplyLength != Pending)
                {
                    reply = slot.Reply.ToArray();
                    return Outcome.Replay;
                }

                if (!_waiters.TryGetValue(index, out var waiting))
                {
                    _waiters[index] = waiting = [];
                }

                waiting.Add(peer);
                return Outcome.Wait;
            }

            index = Add(cookie, hash);
            _bytes += _slots[index].Cost;
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

            var now = _time.GetUtcNow().UtcTicks;
            var hash = cookie.GetHashCode();
            var index = Find(cookie, hash);
            if (index == None)
            {
                index = Add(cookie, hash);
                _bytes += _slots[index].Cost;
            }

            ref var slot = ref _slots[index];
            if (slot.ReplyLength != Pending)
            {
                // Completed twice: the newer reply replaces the older, and the entry becomes the newest.
                Unlink(index);
                _nativeBytes -= slot.ReplyLength;
            }

            var cost = Cost(cookie.Length, reply.Length);
            _bytes += cost - slot.Cost;
            slot.Cost = cost;
            var charBytes = (nuint)cookie.Length * sizeof(char);
            slot.Cookie = (char*)NativeMemory.Realloc(slot.Cookie, charBytes + (nuint)Math.Max(1, reply.Length));
            slot.ReplyLength = reply.Length;
            reply.CopyTo(slot.Reply);
            _nativeBytes += reply.Length;
            slot.Expires = now + _lifetime;
            Append(index);
            IReadOnlyList<TPeer> waiters = _waiters.Remove(index, out var waiting) ? waiting : [];
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
            if (_disposed)
            {
                return [];
            }

            var index = Find(cookie, cookie.GetHashCode());
            if (index == None || _slots[index].ReplyLength != Pending)
            {
                return [];
            }

            IReadOnlyList<TPeer> waiters = _waiters.Remove(index, out var waiting) ? waiting : [];
            Remove(index);
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
            for (var i = 0; i < _highWater; i++)
            {
                NativeMemory.Free(_slots[i].Cookie);
                _slots[i].Cookie = null;
            }

            _waiters.Clear();
            _count = 0;
            _completed = 0;
            _bytes = 0;
            _nativeBytes = 0;
            _oldest = _newest = None;
        }
    }

    /// <summary>A cookie string is 2 bytes a character; a pending entry has no reply yet.</summary>
    private static long Cost(int cookieLength, int replyLength) => EntryOverhead + (2L * cookieLength) + replyLength;

    private int Find(string cookie, int hash)
    {
        for (var i = _buckets[Bucket(hash)]; i != None; i = _slots[i].Next)
        {
            ref var slot = ref _slots[i];
            if (slot.Hash == hash && slot.Key.SequenceEqual(cookie))
            {
                return i;
            }
        }

        return None;
    }

    /// <summary>A pending entry for the cookie: its slot, its copy of the cookie, its place in the table.</summary>
    private int Add(string cookie, int hash)
    {
        if (_count == _buckets.Length)
        {
            Grow();
        }

        int index;
        if (_free != None)
        {
            index = _free;
            _free = _slots[index].Next;
        }
        else
        {
            if (_highWater == _slots.Length)
            {
                Array.Resize(ref _slots, _slots.Length * 2);
            }

            index = _highWater++;
        }

        ref var slot = ref _slots[index];
        slot.Cookie = (char*)NativeMemory.Alloc((nuint)Math.Max(1, cookie.Length * sizeof(char)));
        cookie.AsSpan().CopyTo(new Span<char>(slot.Cookie, cookie.Length));
        slot.CookieLength = cookie.Length;
        slot.ReplyLength = Pending;
        slot.Hash = hash;
        slot.Cost = Cost(cookie.Length, 0);
        slot.Older = slot.Newer = None;
        var bucket = Bucket(hash);
        slot.Next = _buckets[bucket];
        _buckets[bucket] = index;
        _count++;
        return index;
    }

    /// <summary>Takes an entry out of the table and the expiry order, frees its block and gives its slot back.</summary>
    private void Remove(int index)
    {
        ref var slot = ref _slots[index];
        if (slot.ReplyLength != Pending)
        {
            Unlink(index);
            _nativeBytes -= slot.ReplyLength;
        }

        ref var link = ref _buckets[Bucket(slot.Hash)];
        while (link != index)
        {
            link = ref _slots[link].Next;
        }

        link = slot.Next;
        _bytes -= slot.Cost;
        NativeMemory.Free(slot.Cookie);
        slot = default;
        slot.Next = _free;
        _free = index;
        _count--;
    }

    /// <summary>Doubles the table (more commands pending than it has room for): every entry is chained again.</summary>
    private void Grow()
    {
        _buckets = new int[_buckets.Length * 2];
        _buckets.AsSpan().Fill(None);
        for (var i = 0; i < _highWater; i++)
        {
            ref var slot = ref _slots[i];
            if (slot.Cookie is null)
            {
                continue; // a free slot
            }

            var bucket = Bucket(slot.Hash);
            slot.Next = _buckets[bucket];
            _buckets[bucket] = i;
        }
    }

    private int Bucket(int hash) => hash & (_buckets.Length - 1);

    /// <summary>Makes a completed entry the newest of the expiry order.</summary>
    private void Append(int index)
    {
        ref var slot = ref _slots[index];
        slot.Older = _newest;
        slot.Newer = None;
        if (_newest != None)
        {
            _slots[_newest].Newer = index;
        }
        else
        {
            _oldest = index;
        }

        _newest = index;
        _completed++;
    }

    private void Unlink(int index)
    {
        ref var slot = ref _slots[index];
        if (slot.Older != None)
        {
            _slots[slot.Older].Newer = slot.Newer;
        }
        else
        {
            _oldest = slot.Newer;
        }

        if (slot.Newer != None)
        {
            _slots[slot.Newer].Older = slot.Older;
        }
        else
        {
            _newest = slot.Older;
        }

        slot.Older = slot.Newer = None;
        _completed--;
    }

    private void Prune(long now)
    {
        // Replies are completed in time order with one lifetime, so the order is also the expiry order.
        while (_oldest != None && (_slots[_oldest].Expires <= now || _completed > _capacity || _bytes > _maxBytes))
        {
            Remove(_oldest);
        }
    }

    /// <summary>
    /// One entry: its cookie (UTF-16) and, once complete, its reply right after it, in one native block; its chain
    /// in the table; its neighbours in the expiry order. A free slot has no block, and <see cref="Next"/> chains the free list.
    /// </summary>
    private struct Slot
    {
        public char* Cookie;
        public int CookieLength;
        public int ReplyLength;
        public int Hash;
        public int Next;
        public int Older;
        public int Newer;
        public long Expires;
        public long Cost;

        public readonly ReadOnlySpan<char> Key => new(Cookie, CookieLength);

        public readonly Span<byte> Reply => new((byte*)(Cookie + CookieLength), ReplyLength);
    }
}
