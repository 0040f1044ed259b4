namespace MediaRelay.Management;

/// <summary>What the relay is doing as a whole: since when it runs, and whether it is draining (stopping).</summary>
public sealed class RelayStatus(TimeProvider time)
{
    private volatile bool _draining;

    public DateTimeOffset Started { get; } = time.GetUtcNow();

    /// <summary>"active", or "draining" once the relay stops taking calls.</summary>
    public string Text => _draining ? "draining" : "active";

    public TimeSpan Uptime => time.GetUtcNow() - Started;

    /// <summary>The relay stops: no new calls, the running ones end.</summary>
    public void Drain() => _draining = true;
}
