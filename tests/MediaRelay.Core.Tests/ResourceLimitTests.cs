using MediaRelay.Core.Api;

namespace MediaRelay.Core.Tests;

/// <summary>Issue 15, findings 3 and 4: an offer cannot take unbounded sockets, and descriptor exhaustion loses no port.</summary>
public sealed class ResourceLimitTests
{
    private static MediaDescription[] Audio(int count) =>
        Enumerable.Range(0, count).Select(i => new MediaDescription("audio", RelayHarness.CallerSdp.Address, 5000 + (2 * i))).ToArray();

    [Fact]
    public void An_offer_beyond_max_streams_is_refused_and_takes_no_port()
    {
        using var relay = new RelayHarness(new RelayOptions { PortMin = 40000, PortMax = 49999, MaxStreams = 32 });

        Assert.Equal(SessionError.TooManyStreams, relay.Manager.Offer("big", "a", null, Audio(33), null, out _));
        Assert.Equal(0, relay.Transport.OpenSockets);
        Assert.Equal(0, relay.Transport.BindAttempts);
        Assert.Null(relay.Manager.Query("big"));

        Assert.Equal(SessionError.None, relay.Manager.Offer("ok", "a", null, Audio(32), null, out var relayed));
        Assert.Equal(32, relayed.Count);
        Assert.Equal(128, relay.Manager.Totals.PortsInUse);
    }

    [Fact]
    public void An_answer_beyond_max_streams_is_refused_and_the_call_keeps_its_streams()
    {
        using var relay = new RelayHarness(new RelayOptions { PortMin = 40000, PortMax = 49999, MaxStreams = 2 });
        Assert.Equal(SessionError.None, relay.Manager.Offer("c", "a", null, Audio(2), null, out _));

        Assert.Equal(SessionError.TooManyStreams, relay.Manager.Answer("c", "a", "b", Audio(3), null, out _));
        Assert.Equal(2, relay.Manager.Query("c")!.Streams.Count);
        Assert.Equal(8, relay.Manager.Totals.PortsInUse);
    }

    [Fact]
    public void Running_out_of_descriptors_is_out_of_ports_rolls_back_and_loses_no_port()
    {
        using var relay = new RelayHarness(new RelayOptions { PortMin = 40000, PortMax = 49999 });
        // 10 sockets: the first two-stream offer takes 8, the second fails in its first stream's callee pair.
        relay.Transport.DescriptorLimit = 10;
        Assert.Equal(SessionError.None, relay.Manager.Offer("c1", "a", null, Audio(2), null, out _));
        var attemptsBefore = relay.Transport.BindAttempts;

        Assert.Equal(SessionError.OutOfPorts, relay.Manager.Offer("c2", "a", null, Audio(2), null, out _));

        // The failing pool stops at the first exhausted bind instead of trying all 2,500 free pairs.
        Assert.True(relay.Transport.BindAttempts - attemptsBefore <= 4, $"{relay.Transport.BindAttempts - attemptsBefore} bind attempts");
        Assert.Equal(8, relay.Transport.OpenSockets);
        Assert.Equal(8, relay.Manager.Totals.PortsInUse);

        relay.Manager.Remove("c1");
        relay.Transport.DescriptorLimit = null;
        Assert.Equal(0, relay.Manager.Totals.PortsInUse);
        relay.PassPortReuse();
        Assert.Equal(0, relay.Transport.OpenSockets);

        // Every pair is still in the pool: the whole range can be taken again.
        var calls = 0;
        while (relay.Manager.Offer($"fill-{calls}", "a", null, Audio(1), null, out _) == SessionError.None)
        {
            calls++;
        }

        Assert.Equal(2500, calls);
    }

    [Fact]
    public void The_media_socket_budget_refuses_before_the_kernel_does()
    {
        using var relay = new RelayHarness(new RelayOptions { PortMin = 40000, PortMax = 49999, MaxMediaSockets = 10 });
        Assert.Equal(SessionError.None, relay.Manager.Offer("c1", "a", null, Audio(2), null, out _));

        Assert.Equal(SessionError.OutOfPorts, relay.Manager.Offer("c2", "a", null, Audio(1), null, out _));
        Assert.Equal(8, relay.Transport.OpenSockets);
        relay.Manager.Remove("c1");
        Assert.Equal(SessionError.None, relay.Manager.Offer("c2", "a", null, Audio(1), null, out _));
    }
}
