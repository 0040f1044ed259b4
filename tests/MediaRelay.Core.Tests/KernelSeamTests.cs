using MediaRelay.Core.Api;
using MediaRelay.Core.Forwarding;
using MediaRelay.Core.Model;
using Microsoft.Extensions.Time.Testing;
using static MediaRelay.Core.Tests.Packets;

namespace MediaRelay.Core.Tests;

public sealed class KernelSeamTests
{
    [Fact]
    public void Each_direction_is_offered_to_the_kernel_once_it_is_eligible_and_its_counts_survive_the_end()
    {
        var forwarder = new CountingForwarder();
        var transport = new FakeTransport();
        using var manager = new SessionManager(new RelayOptions { PortMin = 40000, PortMax = 40099 }, transport, new FakeTimeProvider(), forwarder: forwarder);
        manager.Offer("c", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out var toCallee);
        manager.Answer("c", "a", "b", [RelayHarness.Audio(RelayHarness.CalleeSdp)], null, out var toCaller);

        // Caller sends, but the callee's address is not learned yet: not eligible.
        transport.Deliver(toCaller[0].RtpPort, Rtp(1), Ep("203.0.113.7", 31000));
        Assert.Empty(forwarder.Offloaded);

        // The callee sends: both directions are now learned and have sent media.
        transport.Deliver(toCallee[0].RtpPort, Rtp(1), Ep("198.51.100.9", 42000));
        Assert.Equal(2, forwarder.Offloaded.Count);
        Assert.Contains(forwarder.Offloaded, f => f.InRemote.Equals(Ep("203.0.113.7", 31000)) && f.OutRemote.Equals(Ep("198.51.100.9", 42000)) && f.OutLocal.Port == toCallee[0].RtpPort);

        forwarder.Forwarded = 5;
        var statistics = manager.Remove("c")!;
        Assert.Equal(5, statistics.Streams[0].Caller.Rtp.KernelPackets);
        Assert.Equal(6, statistics.Streams[0].Caller.Rtp.TotalPackets);
        Assert.Equal(2, forwarder.Removed);
    }

    private sealed class CountingForwarder : IKernelForwarder
    {
        public List<KernelFlow> Offloaded { get; } = [];

        public long Forwarded { get; set; }

        public int Removed { get; private set; }

        public bool TryOffload(KernelFlow flow)
        {
            Offloaded.Add(flow);
            return true;
        }

        public void Remove(KernelFlow flow) => Removed++;

        public (long Packets, long Bytes) ReadCounters(KernelFlow flow) => (Forwarded, Forwarded * 172);
    }
}
