namespace MediaRelay.EndToEnd.Tests;

/// <summary>
/// Every end-to-end test starts a relay, Kamailio and two sipp instances that stream real-time RTP; on a small CI
/// machine two such tests at once would starve each other's 20 ms timers, so they run one after another.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection
{
    public const string Name = "end-to-end";
}
