using MediaRelay.Control.Ng;
using Microsoft.Extensions.Time.Testing;

namespace MediaRelay.Control.Tests.Ng;

public class NgReplyCacheTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void FirstCopyRunsLaterCopiesReplayUntilExpiry()
    {
        var cache = new NgReplyCache<string>(_clock, TimeSpan.FromSeconds(45), 100);
        byte[] reply = [1, 2, 3];

        Assert.Equal(NgReplyCache<string>.Outcome.Run, cache.Begin("c", "p1", out _));
        cache.Complete("c", reply);
        _clock.Advance(TimeSpan.FromSeconds(44));
        Assert.Equal(NgReplyCache<string>.Outcome.Replay, cache.Begin("c", "p2", out var replayed));
        Assert.Same(reply, replayed);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(NgReplyCache<string>.Outcome.Run, cache.Begin("c", "p3", out _));
    }

    [Fact]
    public void CopiesArrivingWhileRunningWaitAndAreHandedBack()
    {
        var cache = new NgReplyCache<string>(_clock, TimeSpan.FromSeconds(45), 100);

        cache.Begin("c", "first", out _);
        Assert.Equal(NgReplyCache<string>.Outcome.Wait, cache.Begin("c", "second", out _));
        Assert.Equal(NgReplyCache<string>.Outcome.Wait, cache.Begin("c", "third", out _));

        Assert.Equal(["second", "third"], cache.Complete("c", [9]));
    }

    [Fact]
    public void CapacityDropsTheOldestReplies()
    {
        var cache = new NgReplyCache<string>(_clock, TimeSpan.FromSeconds(45), 2);
        foreach (var cookie in new[] { "a", "b", "c" })
        {
            cache.Begin(cookie, "p", out _);
            cache.Complete(cookie, [1]);
        }

        Assert.Equal(2, cache.Count);
        Assert.Equal(NgReplyCache<string>.Outcome.Run, cache.Begin("a", "p", out _));
        Assert.Equal(NgReplyCache<string>.Outcome.Replay, cache.Begin("c", "p", out _));
    }
}
