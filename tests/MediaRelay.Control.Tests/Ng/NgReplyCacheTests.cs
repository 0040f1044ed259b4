using MediaRelay.Control.Ng;
using Microsoft.Extensions.Time.Testing;

namespace MediaRelay.Control.Tests.Ng;

public class NgReplyCacheTests
{
    private const long NoByteLimit = long.MaxValue;
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void FirstCopyRunsLaterCopiesReplayUntilExpiry()
    {
        using var cache = new NgReplyCache<string>(_clock, TimeSpan.FromSeconds(45), 100, NoByteLimit);
        byte[] reply = [1, 2, 3];

        Assert.Equal(NgReplyCache<string>.Outcome.Run, cache.Begin("c", "p1", out _));
        cache.Complete("c", reply);
        _clock.Advance(TimeSpan.FromSeconds(44));
        Assert.Equal(NgReplyCache<string>.Outcome.Replay, cache.Begin("c", "p2", out var replayed));
        Assert.Equal(reply, replayed);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(NgReplyCache<string>.Outcome.Run, cache.Begin("c", "p3", out _));
    }

    [Fact]
    public void CopiesArrivingWhileRunningWaitAndAreHandedBack()
    {
        using var cache = new NgReplyCache<string>(_clock, TimeSpan.FromSeconds(45), 100, NoByteLimit);

        cache.Begin("c", "first", out _);
        Assert.Equal(NgReplyCache<string>.Outcome.Wait, cache.Begin("c", "second", out _));
        Assert.Equal(NgReplyCache<string>.Outcome.Wait, cache.Begin("c", "third", out _));

        Assert.Equal(["second", "third"], cache.Complete("c", [9]));
    }

    [Fact]
    public void CapacityDropsTheOldestReplies()
    {
        using var cache = new NgReplyCache<string>(_clock, TimeSpan.FromSeconds(45), 2, NoByteLimit);
        foreach (var cookie in new[] { "a", "b", "c" })
        {
            cache.Begin(cookie, "p", out _);
            cache.Complete(cookie, [1]);
        }

        Assert.Equal(2, cache.Count);
        Assert.Equal(NgReplyCache<string>.Outcome.Run, cache.Begin("a", "p", out _));
        Assert.Equal(NgReplyCache<string>.Outcome.Replay, cache.Begin("c", "p", out _));
    }

    [Fact]
    public void ByteLimitDropsTheOldestRepliesFirst()
    {
        // Room for three 30 kB replies with their bookkeeping, not four.
        using var cache = new NgReplyCache<string>(_clock, TimeSpan.FromSeconds(45), 65536, 100_000);
        foreach (var cookie in new[] { "q1", "q2", "q3", "q4" })
        {
            Assert.Equal(NgReplyCache<string>.Outcome.Run, cache.Begin(cookie, "p", out _));
            cache.Complete(cookie, new byte[30_000]);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(3, cache.Count);
        Assert.Equal(3 * (30_000 + 4 + NgReplyCache<string>.EntryOverhead), cache.Bytes);
        Assert.Equal(NgReplyCache<string>.Outcome.Replay, cache.Begin("q2", "p", out _));
        Assert.Equal(NgReplyCache<string>.Outcome.Replay, cache.Begin("q4", "p", out _));
        // The oldest went: its retransmission runs the command again.
        Assert.Equal(NgReplyCache<string>.Outcome.Run, cache.Begin("q1", "p", out _));
    }

    [Fact]
    public void AFloodOfBigRepliesNeverHoldsMoreThanTheLimit()
    {
        const long limit = 1024 * 1024;
        using var cache = new NgReplyCache<string>(_clock, TimeSpan.FromSeconds(45), 65536, limit);
        for (var i = 0; i < 12_500; i++)
        {
            var cookie = "flood-" + i;
            cache.Begin(cookie, "p", out _);
            cache.Complete(cookie, new byte[31_000]);
            Assert.True(cache.Bytes <= limit, $"{cache.Bytes} bytes held after {i + 1} replies");
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        // 1 MiB holds 33 such replies; the newest are the ones kept.
        Assert.Equal(33, cache.Count);
        Assert.Equal(NgReplyCache<string>.Outcome.Replay, cache.Begin("flood-12499", "p", out _));
        Assert.Equal(NgReplyCache<string>.Outcome.Run, cache.Begin("flood-12466", "p", out _));
    }

    [Fact]
    public void PendingEntriesCountSmallAndAreNeverDropped()
    {
        using var cache = new NgReplyCache<string>(_clock, TimeSpan.FromSeconds(45), 65536, 10_000);
        cache.Begin("slow", "first", out _);
        Assert.Equal(NgReplyCache<string>.EntryOverhead + 8, cache.Bytes);

        // Replies that overflow the limit push each other out, not the command that still runs.
        foreach (var cookie in new[] { "a", "b", "c" })
        {
            cache.Begin(cookie, "p", out _);
            cache.Complete(cookie, new byte[6_000]);
        }

        Assert.Equal(NgReplyCache<string>.Outcome.Wait, cache.Begin("slow", "copy", out _));
        Assert.Equal(["copy"], cache.Complete("slow", [7]));
        Assert.Equal(NgReplyCache<string>.Outcome.Replay, cache.Begin("slow", "again", out var replay));
        Assert.Equal([7], replay);
    }

    [Fact]
    public void ExpiredAndDroppedRepliesGiveBackTheirBytes()
    {
        using var cache = new NgReplyCache<string>(_clock, TimeSpan.FromSeconds(45), 65536, NoByteLimit);
        cache.Begin("a", "p", out _);
        cache.Complete("a", new byte[1000]);
        cache.Begin("b", "p", out _);
        cache.Complete("b", new byte[2000]);
        Assert.Equal(3000 + (2 * (2 + NgReplyCache<string>.EntryOverhead)), cache.Bytes);

        _clock.Advance(TimeSpan.FromSeconds(45));
        // The cookie is reused after expiry: a new command, counted afresh.
        Assert.Equal(NgReplyCache<string>.Outcome.Run, cache.Begin("a", "p", out _));
        Assert.Equal(2 + NgReplyCache<string>.EntryOverhead, cache.Bytes);
        cache.Complete("a", new byte[500]);
        Assert.Equal(500 + 2 + NgReplyCache<string>.EntryOverhead, cache.Bytes);
    }

    [Fact]
    public void RepliesLiveOutsideTheGcHeapAndGoBackWhenDroppedOrDisposed()
    {
        var cache = new NgReplyCache<string>(_clock, TimeSpan.FromSeconds(45), 2, NoByteLimit);
        var reply = new byte[1000];
        reply.AsSpan().Fill(0x42);
        foreach (var cookie in new[] { "a", "b", "c" })
        {
            cache.Begin(cookie, "p", out _);
            cache.Complete(cookie, reply);
        }

        // Two kept (capacity 2), the third's bytes freed when it was pushed out.
        Assert.Equal(2000, cache.NativeBytes);

        // A replay is a copy: the caller may keep it after the cache frees its own.
        Assert.Equal(NgReplyCache<string>.Outcome.Replay, cache.Begin("c", "p", out var replayed));
        Assert.Equal(reply, replayed);
        _clock.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal(NgReplyCache<string>.Outcome.Run, cache.Begin("x", "p", out _));
        Assert.Equal(0, cache.NativeBytes);
        cache.Complete("x", reply);
        Assert.Equal(1000, cache.NativeBytes);

        cache.Dispose();
        Assert.Equal(0, cache.NativeBytes);
        Assert.Equal(0, cache.Count);
        Assert.Equal(NgReplyCache<string>.Outcome.Run, cache.Begin("x", "p", out _));
        Assert.Empty(cache.Complete("x", reply));
        Assert.Equal(0, cache.NativeBytes);
        Assert.Equal(0x42, replayed![999]);
    }

    [Fact]
    public void A_command_that_failed_without_a_reply_runs_again_on_its_retransmission()
    {
        using var cache = new NgReplyCache<string>(_clock, TimeSpan.FromSeconds(45), 100, NoByteLimit);
        cache.Begin("c", "first", out _);
        Assert.Equal(NgReplyCache<string>.Outcome.Wait, cache.Begin("c", "copy", out _));

        Assert.Equal(["copy"], cache.Abandon("c"));
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Bytes);
        Assert.Equal(NgReplyCache<string>.Outcome.Run, cache.Begin("c", "again", out _));

        // A completed reply is not abandoned: its retransmissions still replay it.
        cache.Complete("c", [5]);
        Assert.Empty(cache.Abandon("c"));
        Assert.Equal(NgReplyCache<string>.Outcome.Replay, cache.Begin("c", "p", out var replay));
        Assert.Equal([5], replay);
    }

    [Theory]
    [InlineData(true, 600)]
    [InlineData(false, 3_000)]
    public void Random_begins_completes_and_abandons_agree_with_a_plain_model(bool pendingFirst, int keys)
    {
        // Small limits and many cookies: entries expire, are pushed out by count and by bytes, are abandoned, are
        // completed twice. First case: more than a thousand wait at once (the table grows twice), then all are
        // abandoned. Second: thousands of cookies, so the table grows while pending, completed and free slots mix.
        const int capacity = 100;
        const long maxBytes = 200_000;
        using var cache = new NgReplyCache<int>(_clock, TimeSpan.FromSeconds(10), capacity, maxBytes);
        var model = new CacheModel(_clock, TimeSpan.FromSeconds(10), capacity, maxBytes);
        var random = new Random(7);

        for (var i = 0; pendingFirst && i < 3_000; i++)
        {
            Assert.Equal(NgReplyCache<int>.Outcome.Run, cache.Begin("pending-" + i, i, out _));
            model.Begin("pending-" + i, i);
        }

        Assert.Equal(pendingFirst ? 3_000 : 0, cache.Count);
        for (var i = 0; pendingFirst && i < 3_000; i++)
        {
            Assert.Equal(model.Abandon("pending-" + i), cache.Abandon("pending-" + i));
        }

        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Bytes);
        var most = 0;
        for (var step = 0; step < 60_000; step++)
        {
            var cookie = "k" + random.Next(keys);
            var action = random.Next(10);
            if (action < 5)
            {
                var outcome = cache.Begin(cookie, step, out var reply);
                var (expected, expectedReply) = model.Begin(cookie, step);
                Assert.Equal(expected, outcome);
                Assert.Equal(expectedReply, reply);
            }
            else if (action < 9)
            {
                var reply = new byte[random.Next(0, 3_000)];
                random.NextBytes(reply);
                Assert.Equal(model.Complete(cookie, reply), cache.Complete(cookie, reply));
            }
            else
            {
                Assert.Equal(model.Abandon(cookie), cache.Abandon(cookie));
            }

            if (random.Next(50) == 0)
            {
                _clock.Advance(TimeSpan.FromMilliseconds(random.Next(1, 3_000)));
            }

            Assert.Equal(model.Count, cache.Count);
            Assert.Equal(model.Bytes, cache.Bytes);
            Assert.Equal(model.NativeBytes, cache.NativeBytes);
            most = Math.Max(most, cache.Count);
        }

        // The table starts with room for 1,024 entries: in both cases it had to grow.
        Assert.True(most > 1_024 || pendingFirst, $"at most {most} entries at once");
    }

    /// <summary>The cache's rules written plainly, with managed collections, for the random test.</summary>
    private sealed class CacheModel(FakeTimeProvider clock, TimeSpan lifetime, int capacity, long maxBytes)
    {
        private readonly Dictionary<string, Entry> _entries = [];
        private readonly List<string> _order = [];

        public int Count => _entries.Count;

        public long Bytes => _entries.Values.Sum(e => e.Cost);

        public long NativeBytes => _entries.Values.Sum(e => e.Reply?.Length ?? 0);

        public (NgReplyCache<int>.Outcome, byte[]?) Begin(string cookie, int peer)
        {
            Prune();
            if (_entries.TryGetValue(cookie, out var entry))
            {
                if (entry.Reply is not null)
                {
                    return (NgReplyCache<int>.Outcome.Replay, entry.Reply);
                }

                entry.Waiters.Add(peer);
                return (NgReplyCache<int>.Outcome.Wait, null);
            }

            _entries[cookie] = new Entry { Cost = NgReplyCache<int>.EntryOverhead + (2 * cookie.Length) };
            return (NgReplyCache<int>.Outcome.Run, null);
        }

        public List<int> Complete(string cookie, byte[] reply)
        {
            if (!_entries.TryGetValue(cookie, out var entry))
            {
                _entries[cookie] = entry = new Entry();
            }

            _order.Remove(cookie);
            entry.Reply = reply;
            entry.Cost = NgReplyCache<int>.EntryOverhead + (2 * cookie.Length) + reply.Length;
            entry.Expires = clock.GetUtcNow() + lifetime;
            _order.Add(cookie);
            var waiters = entry.Waiters;
            entry.Waiters = [];
            Prune();
            return waiters;
        }

        public List<int> Abandon(string cookie)
        {
            if (!_entries.TryGetValue(cookie, out var entry) || entry.Reply is not null)
            {
                return [];
            }

            _entries.Remove(cookie);
            return entry.Waiters;
        }

        private void Prune()
        {
            while (_order.Count > 0 && (_entries[_order[0]].Expires <= clock.GetUtcNow() || _order.Count > capacity || Bytes > maxBytes))
            {
                _entries.Remove(_order[0]);
                _order.RemoveAt(0);
            }
        }

        private sealed class Entry
        {
            public byte[]? Reply { get; set; }

            public DateTimeOffset Expires { get; set; }

            public long Cost { get; set; }

            public List<int> Waiters { get; set; } = [];
        }
    }
}
