using MediaRelay.Core.Api;
using MediaRelay.Core.Forwarding;
using MediaRelay.Core.Model;
using Microsoft.Extensions.Time.Testing;
using static MediaRelay.Core.Tests.Packets;

namespace MediaRelay.Core.Tests;

/// <summary>The kernel seam (DESIGN 4.1): directions posted to the kernel worker, applied in order, counted everywhere.</summary>
public sealed class KernelSeamTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private static readonly System.Net.IPEndPoint CallerNat = Ep("203.0.113.7", 31000);
    private static readonly System.Net.IPEndPoint CalleeNat = Ep("198.51.100.9", 42000);
    private readonly FakeTimeProvider _clock = new();
    private readonly FakeTransport _transport = new();
    private readonly RecordingBackend _backend = new();
    private readonly KernelQueue _kernel;
    private readonly SessionManager _manager;
    private readonly List<Statistics.SessionStatistics> _ended = [];

    public KernelSeamTests()
    {
        _kernel = new KernelQueue(_backend, _clock, TimeSpan.FromSeconds(1));
        _manager = new SessionManager(new RelayOptions { PortMin = 40000, PortMax = 40099, StreamTimeout = TimeSpan.FromSeconds(30) },
            _transport, _clock, kernel: _kernel);
        _manager.SessionEnded += _ended.Add;
    }

    private (int CallerFacing, int CalleeFacing) Call()
    {
        _manager.Offer("c", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out var toCallee);
        _manager.Answer("c", "a", "b", [RelayHarness.Audio(RelayHarness.CalleeSdp)], null, out var toCaller);
        return (toCaller[0].RtpPort, toCallee[0].RtpPort);
    }

    /// <summary>A call whose phones each sent one packet: both learned, both directions posted and applied.</summary>
    private (int CallerFacing, int CalleeFacing) CallWithBothLearned()
    {
        var (callerFacing, calleeFacing) = Call();
        _transport.Deliver(callerFacing, Rtp(1), CallerNat);
        _transport.Deliver(calleeFacing, Rtp(1), CalleeNat);
        Assert.True(_kernel.Flush(Wait));
        return (callerFacing, calleeFacing);
    }

    [Fact]
    public void Each_direction_goes_to_the_kernel_once_it_is_eligible_and_its_counts_survive_the_end()
    {
        var (callerFacing, calleeFacing) = Call();

        // The caller sends, but the callee's address is not learned yet: not eligible.
        _transport.Deliver(callerFacing, Rtp(1), Ep("203.0.113.7", 31000));
        Assert.True(_kernel.Flush(Wait));
        Assert.Empty(_backend.Log);

        // The callee sends: both directions are learned and have sent media.
        _transport.Deliver(calleeFacing, Rtp(1), Ep("198.51.100.9", 42000));
        Assert.True(_kernel.Flush(Wait));
        Assert.Equal(2, _backend.Installed.Count);
        var callerToCallee = Assert.Single(_backend.Installed, f => f.InRemote.Equals(Ep("203.0.113.7", 31000)));
        Assert.Equal(Ep("198.51.100.9", 42000), callerToCallee.OutRemote);
        Assert.Equal(calleeFacing, callerToCallee.OutLocal.Port);
        Assert.Equal(callerFacing, callerToCallee.InLocal.Port);

        _backend.Counters[callerToCallee] = (5, 5 * 160);
        var statistics = _manager.Remove("c")!;
        Assert.Equal(5, statistics.Streams[0].Caller.Rtp.KernelPackets);
        Assert.Equal(6, statistics.Streams[0].Caller.Rtp.TotalPackets);
        Assert.Empty(_backend.Installed);
    }

    [Fact]
    public void The_once_a_second_tally_of_running_calls_counts_what_their_snapshots_count()
    {
        // Call "c": both directions in the kernel, which counted 7 packets of the caller's on top of user space's 2.
        CallWithBothLearned();
        var callerToCallee = Assert.Single(_backend.Installed, f => f.InRemote.Equals(CallerNat));
        _backend.Counters[callerToCallee] = (7, 7 * 160);
        // Call "d": only its caller has sent, so it stays in user space.
        _manager.Offer("d", "a", null, [RelayHarness.Audio(RelayHarness.CallerSdp)], null, out _);
        _manager.Answer("d", "a", "b", [RelayHarness.Audio(RelayHarness.CalleeSdp)], null, out var toCaller);
        _transport.Deliver(toCaller[0].RtpPort, Rtp(1), Ep("203.0.113.8", 31000));
        Assert.True(_kernel.Flush(Wait, readCounters: true));

        var tally = _manager.Tally();
        var fromSnapshots = Statistics.LiveTally.Of(_manager.Snapshot());
        Assert.Equal((3L, 7L, 7L * 160, 1, 1), (tally.UserPackets, tally.KernelPackets, tally.KernelBytes, tally.KernelStreams, tally.UserSpaceStreams));
        Assert.Equal(2, tally.StreamsByType["audio"]);
        Assert.Equal(
            (fromSnapshots.UserPackets, fromSnapshots.UserBytes, fromSnapshots.KernelPackets, fromSnapshots.KernelBytes, fromSnapshots.Errors, fromSnapshots.KernelStreams, fromSnapshots.UserSpaceStreams),
            (tally.UserPackets, tally.UserBytes, tally.KernelPackets, tally.KernelBytes, tally.Errors, tally.KernelStreams, tally.UserSpaceStreams));
    }

    [Fact]
    public void A_reinvite_keeps_the_entry_and_a_new_source_replaces_it_old_removed_first()
    {
        var (callerFacing, calleeFacing) = CallWithBothLearned();

        var moved = Ep("203.0.113.99", 31000);
        _manager.Offer("c", "a", "b", [RelayHarness.Audio(Ep("10.0.0.77", 5000))], moved.Address, out _);
        Assert.True(_kernel.Flush(Wait));
        Assert.Equal(2, _backend.Installed.Count); // grace re-learn: the old entries stay

        _transport.Deliver(callerFacing, Rtp(2), moved);
        Assert.True(_kernel.Flush(Wait));
        Assert.Equal(2, _backend.Installed.Count);
        Assert.Contains(_backend.Installed, f => f.InRemote.Equals(moved));
        Assert.Contains(_backend.Installed, f => f.OutRemote.Equals(moved));

        // Per direction: remove the old entry, then add the new one.
        var removeOld = _backend.Log.FindIndex(e => e.StartsWith("remove", StringComparison.Ordinal) && e.Contains("203.0.113.7:31000 ->", StringComparison.Ordinal));
        var addNew = _backend.Log.FindIndex(e => e.StartsWith("install", StringComparison.Ordinal) && e.Contains("203.0.113.99:31000 ->", StringComparison.Ordinal));
        Assert.True(removeOld >= 0 && addNew > removeOld, string.Join("\n", _backend.Log));
    }

    [Fact]
    public void Kernel_packets_keep_a_one_way_stream_alive_and_an_idle_kernel_direction_times_out()
    {
        var (callerFacing, calleeFacing) = Call();
        _transport.Deliver(calleeFacing, Rtp(1), Ep("198.51.100.9", 42000)); // the callee is learned, never sends again
        _transport.Deliver(callerFacing, Rtp(1), Ep("203.0.113.7", 31000));
        Assert.True(_kernel.Flush(Wait));
        var oneWay = Assert.Single(_backend.Installed, f => f.InRemote.Equals(Ep("203.0.113.7", 31000)));

        for (var second = 1; second <= 60; second++)
        {
            _backend.Counters[oneWay] = (second * 50, second * 50 * 160);
            _clock.Advance(TimeSpan.FromSeconds(1));
            Assert.True(_kernel.Flush(Wait, readCounters: true));
            _manager.Sweep();
        }

        Assert.Empty(_ended);
        Assert.Equal(3000, _manager.Query("c")!.Streams[0].Caller.Rtp.KernelPackets);

        // Silence in the kernel too: the stream ends as in user space, 30 s later.
        for (var second = 1; second <= 31; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            Assert.True(_kernel.Flush(Wait, readCounters: true));
            _manager.Sweep();
        }

        var ended = Assert.Single(_ended);
        Assert.Equal(EndReason.NoTrafficTimeout, ended.Streams[0].EndReason);
        Assert.Equal(3001, ended.Streams[0].Caller.Rtp.TotalPackets);
        Assert.Empty(_backend.Installed);
    }

    [Fact]
    public void A_query_reads_the_kernel_counters_of_its_call_now()
    {
        CallWithBothLearned();
        var aToB = Assert.Single(_backend.Installed, f => f.InRemote.Equals(CallerNat));

        _backend.Counters[aToB] = (42, 42 * 160); // no periodic read has happened (the fake clock stands still)
        Assert.Equal(42, _manager.Query("c")!.Streams[0].Caller.Rtp.KernelPackets);
    }

    [Fact]
    public void A_refused_direction_stays_in_user_space()
    {
        _backend.Refuse = true;
        var (callerFacing, _) = CallWithBothLearned();
        _transport.TakeSent();

        _transport.Deliver(callerFacing, Rtp(2), CallerNat);
        Assert.Single(_transport.TakeSent());
        Assert.Equal(2, _kernel.Refused);
    }

    [Fact]
    public void A_party_that_moves_while_the_other_is_obsolete_is_followed_in_the_kernel()
    {
        // From the review: A re-INVITEd (obsolete, same NAT mapping, talking through the kernel); then B moved.
        var (_, calleeFacing) = CallWithBothLearned();
        _manager.Offer("c", "a", "b", [RelayHarness.Audio(Ep("10.0.0.77", 5000))], null, out _);

        var movedB = Ep("198.51.100.50", 7000);
        _manager.Answer("c", "a", "b", [RelayHarness.Audio(Ep("10.0.0.88", 6000))], movedB.Address, out _);
        _transport.Deliver(calleeFacing, Rtp(2), movedB);
        Assert.True(_kernel.Flush(Wait));

        // No kernel flow may still send A's media to B's old address, nor take B's old address's packets to A.
        Assert.DoesNotContain(_backend.Installed, f => f.OutRemote.Equals(CalleeNat) || f.InRemote.Equals(CalleeNat));
        Assert.Contains(_backend.Installed, f => f.InRemote.Equals(movedB));
    }

    [Fact]
    public void Kernel_traffic_after_the_relearn_window_makes_the_old_address_firm_again()
    {
        // From the review: the obsolete mark never cleared while the source talked through the kernel, so any
        // stranger could take over after a pause of 1 s, for the rest of the call.
        var (callerFacing, _) = CallWithBothLearned();
        var a = CallerNat;
        _manager.Offer("c", "a", "b", [RelayHarness.Audio(Ep("10.0.0.77", 5000))], null, out _);
        var aToB = Assert.Single(_backend.Installed, f => f.InRemote.Equals(a));

        for (var second = 1; second <= 15; second++)
        {
            _backend.Counters[aToB] = (second * 50, second * 50 * 160);
            _clock.Advance(TimeSpan.FromSeconds(1));
            Assert.True(_kernel.Flush(Wait, readCounters: true));
            _manager.Sweep();
        }

        _clock.Advance(TimeSpan.FromSeconds(3)); // a pause (silence suppression)
        _transport.TakeSent();
        _transport.Deliver(callerFacing, Rtp(9), Ep("192.0.2.66", 4444));
        Assert.Empty(_transport.TakeSent());
        Assert.Equal(a, _manager.Query("c")!.Streams[0].Caller.Rtp.LearnedRemote);
    }

    [Fact]
    public void A_reinvite_in_a_call_the_sweep_left_alone_keeps_the_old_address_that_talks_through_the_kernel()
    {
        // The sweep looks at a call in the kernel only when something there can be due (about a timeout away); a
        // re-INVITE then makes the old address obsolete, and it keeps talking through the kernel: it stays firm.
        var (callerFacing, _) = CallWithBothLearned();
        var a = CallerNat;
        var aToB = Assert.Single(_backend.Installed, f => f.InRemote.Equals(a));
        long sent = 0;
        void Second()
        {
            sent += 50;
            _backend.Counters[aToB] = (sent, sent * 160);
            _clock.Advance(TimeSpan.FromSeconds(1));
            Assert.True(_kernel.Flush(Wait, readCounters: true));
            _manager.Sweep();
        }

        for (var second = 1; second <= 5; second++)
        {
            Second(); // the call is looked at once, then left alone for about a stream timeout
        }

        _manager.Offer("c", "a", "b", [RelayHarness.Audio(Ep("10.0.0.77", 5000))], null, out _);
        for (var second = 1; second <= 15; second++)
        {
            Second(); // the old address keeps talking through the kernel past the re-learn window
        }

        _clock.Advance(TimeSpan.FromSeconds(3)); // a pause (silence suppression)
        _transport.TakeSent();
        _transport.Deliver(callerFacing, Rtp(9), Ep("192.0.2.66", 4444));
        Assert.Empty(_transport.TakeSent());
        Assert.Equal(a, _manager.Query("c")!.Streams[0].Caller.Rtp.LearnedRemote);
    }

    [Fact]
    public void A_backend_failure_costs_one_direction_not_every_later_flush()
    {
        _backend.ThrowOnce = true;
        var (callerFacing, calleeFacing) = Call();
        _transport.Deliver(callerFacing, Rtp(1), Ep("203.0.113.7", 31000));
        _transport.Deliver(calleeFacing, Rtp(1), Ep("198.51.100.9", 42000));

        Assert.True(_kernel.Flush(Wait));
        Assert.Single(_backend.Installed);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.NotNull(_manager.Remove("c"));
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public void Rtcp_forwarded_by_the_kernel_is_not_forgotten_as_silent()
    {
        var (callerFacing, calleeFacing) = Call();
        _transport.Deliver(callerFacing, Rtp(1), Ep("203.0.113.7", 31000));
        _transport.Deliver(calleeFacing, Rtp(1), Ep("198.51.100.9", 42000));
        _transport.Deliver(callerFacing + 1, Rtcp(), Ep("203.0.113.7", 31001));
        _transport.Deliver(calleeFacing + 1, Rtcp(), Ep("198.51.100.9", 42001));
        Assert.True(_kernel.Flush(Wait));
        Assert.Equal(4, _backend.Installed.Count);

        for (var second = 1; second <= 45; second++)
        {
            foreach (var flow in _backend.Installed.ToList())
            {
                _backend.Counters[flow] = (second * 10, second * 10 * 100);
            }

            _clock.Advance(TimeSpan.FromSeconds(1));
            Assert.True(_kernel.Flush(Wait, readCounters: true));
            _manager.Sweep();
        }

        var stream = _manager.Query("c")!.Streams[0];
        Assert.Equal(Ep("203.0.113.7", 31001), stream.Caller.Rtcp.LearnedRemote);
        Assert.Equal(4, _backend.Installed.Count);
    }

    public void Dispose()
    {
        _manager.Dispose();
        _kernel.Dispose();
    }

    private sealed class RecordingBackend : IKernelBackend
    {
        public List<string> Log { get; } = [];

        public HashSet<KernelFlow> Installed { get; } = [];

        public Dictionary<KernelFlow, (long, long)> Counters { get; } = [];

        public bool Refuse { get; set; }

        public bool ThrowOnce { get; set; }

        public string Description => "recording";

        public bool TryInstall(KernelFlow flow)
        {
            lock (Log)
            {
                Log.Add("install " + flow);
                if (ThrowOnce)
                {
                    ThrowOnce = false;
                    throw new InvalidOperationException("the kernel said no, loudly");
                }

                return !Refuse && Installed.Add(flow);
            }
        }

        public (long Packets, long Bytes) Remove(KernelFlow flow)
        {
            lock (Log)
            {
                Log.Add("remove " + flow);
                Installed.Remove(flow);
                return Counters.GetValueOrDefault(flow);
            }
        }

        public void Read(IReadOnlyList<KernelFlow> flows, Span<(long Packets, long Bytes)> counters)
        {
            lock (Log)
            {
                for (var i = 0; i < flows.Count; i++)
                {
                    counters[i] = Counters.GetValueOrDefault(flows[i]);
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
