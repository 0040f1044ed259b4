using System.Diagnostics;
using System.Net;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.Protocols.Bencode;
using static MediaRelay.EndToEnd.Tests.Kernel.PhoneExchange;
using static MediaRelay.EndToEnd.Tests.Ng.NgCalls;

namespace MediaRelay.EndToEnd.Tests.Kernel;

/// <summary>
/// Issue 9 acceptance: the relay forwards confirmed directions in the kernel (eBPF on TC ingress) between phones in
/// network namespaces of the test's own making. Each test checks what the phones receive and what the relay counts.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class KernelForwardingTests : IDisposable
{
    private readonly KernelTopology _net = KernelTopology.Create();

    [NamespaceFact(Timeout = 120_000)]
    public async Task Packets_each_way_go_through_the_kernel_byte_identical_from_the_advertised_ports()
    {
        using var ng = await _net.StartRelayAsync();
        Assert.Contains("kernel forwarding: eBPF on TC ingress of", _net.Log, StringComparison.Ordinal);
        using var a = _net.PhoneA();
        using var b = _net.PhoneB();
        var (callerFacing, calleeFacing) = await ConnectAsync(ng, "k1", a, b);

        var (toB, toA) = await ExchangeAsync(a, b, callerFacing, calleeFacing, 1000);

        var seen = $"B got {toB.Count}, A got {toA.Count}; caller stats {await SettledStatsAsync(ng, "k1", "a", 1001)}, callee stats {await SettledStatsAsync(ng, "k1", "b", 1001)}\n{_net.Log}";
        Assert.True(toB.Count == 1000 && toA.Count == 1000, seen);
        Assert.All(toB, r => Assert.Equal(new IPEndPoint(IPAddress.Parse(KernelTopology.RelayV4), calleeFacing), r.From));
        Assert.All(toA, r => Assert.Equal(new IPEndPoint(IPAddress.Parse(KernelTopology.RelayV4), callerFacing), r.From));
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => UdpPhone.Rtp((ushort)i, 0xA)), toB.Select(r => r.Data));
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => UdpPhone.Rtp((ushort)i, 0xB)), toA.Select(r => r.Data));

        // User space saw only each phone's first packet; the kernel counted the 1,000 that followed, exactly.
        var (callerTotal, callerKernel) = await SettledStatsAsync(ng, "k1", "a", 1001);
        var (calleeTotal, calleeKernel) = await SettledStatsAsync(ng, "k1", "b", 1001);
        Assert.Equal((1001, 1000), (callerTotal, callerKernel));
        Assert.Equal((1001, 1000), (calleeTotal, calleeKernel));
    }

    [NamespaceFact(Timeout = 120_000)]
    public async Task Ipv6_flows_go_through_the_kernel_too()
    {
        using var ng = await _net.StartRelayAsync();
        using var a = _net.PhoneA("2001:db8:1::10");
        using var b = _net.PhoneB("2001:db8:2::10");
        var (callerFacing, calleeFacing) = await ConnectAsync(ng, "k6", a, b);

        var (toB, toA) = await ExchangeAsync(a, b, callerFacing, calleeFacing, 200);

        Assert.Equal(200, toB.Count);
        Assert.Equal(200, toA.Count);
        Assert.All(toB, r => Assert.Equal(new IPEndPoint(IPAddress.Parse(KernelTopology.RelayV6), calleeFacing), r.From));
        Assert.Equal((201, 200), await SettledStatsAsync(ng, "k6", "a", 201));
    }

    [NamespaceFact(Timeout = 120_000)]
    public async Task An_intruder_to_a_latched_port_never_reaches_a_phone()
    {
        using var ng = await _net.StartRelayAsync();
        using var a = _net.PhoneA();
        using var b = _net.PhoneB();
        using var intruder = _net.PhoneA(port: 30002);
        var (callerFacing, calleeFacing) = await ConnectAsync(ng, "k2", a, b);
        await ExchangeAsync(a, b, callerFacing, calleeFacing, 10);

        for (ushort i = 0; i < 20; i++)
        {
            intruder.SendTo(UdpPhone.Rtp(i, 0x666), callerFacing);
        }

        Assert.Empty(b.Drain(Quiet));
        Assert.Empty(intruder.Drain(TimeSpan.FromMilliseconds(50)));
    }

    [NamespaceFact(Timeout = 120_000)]
    public async Task A_phone_that_moves_continues_without_a_gap_and_its_old_address_is_no_longer_forwarded()
    {
        using var ng = await _net.StartRelayAsync();
        using var a = _net.PhoneA();
        using var moved = _net.PhoneA("198.51.100.11");
        using var b = _net.PhoneB();
        var (callerFacing, calleeFacing) = await ConnectAsync(ng, "k3", a, b);
        await ExchangeAsync(a, b, callerFacing, calleeFacing, 10);

        // A talks every 10 ms; mid-way its re-INVITE names the new address and it carries on from there. The gap
        // that counts is the relay's: how late each packet arrives after it was sent (a stalled sender on a busy
        // 2-core machine would otherwise look like a gap).
        var sentAt = new long[200];
        var arrivedAt = new long[200];
        using var stop = new CancellationTokenSource();
        var listening = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (b.ReceiveOne(TimeSpan.FromMilliseconds(20)) is ({ } data, _))
                {
                    var sequence = (data[2] << 8) | data[3];
                    if (sequence is >= 100 and < 200)
                    {
                        arrivedAt[sequence] = Stopwatch.GetTimestamp();
                    }
                }
            }
        }, TaskCreationOptions.LongRunning);
        for (ushort i = 100; i < 150; i++)
        {
            sentAt[i] = Stopwatch.GetTimestamp();
            a.SendTo(UdpPhone.Rtp(i, 0xA), callerFacing);
            await Task.Delay(10);
        }

        await OfferAsync(ng, "k3", "a", Sdp("198.51.100.11", 30000));
        await AnswerAsync(ng, "k3", "a", "b", Sdp("192.0.2.10", 31000));
        for (ushort i = 150; i < 200; i++)
        {
            sentAt[i] = Stopwatch.GetTimestamp();
            moved.SendTo(UdpPhone.Rtp(i, 0xA), callerFacing);
            await Task.Delay(10);
        }

        await Task.Delay(200);
        await stop.CancelAsync();
        await listening;
        var lost = Enumerable.Range(100, 100).Where(i => arrivedAt[i] == 0).ToList();
        Assert.True(lost.Count == 0, $"lost: {string.Join(",", lost)}");
        var delays = Enumerable.Range(100, 100).Select(i => (Sequence: i, Ms: Stopwatch.GetElapsedTime(sentAt[i], arrivedAt[i]).TotalMilliseconds)).ToList();
        var worst = delays.MaxBy(d => d.Ms);
        Assert.True(worst.Ms <= 100, $"packet {worst.Sequence} took {worst.Ms:F0} ms through the relay around the move; "
            + string.Join(" ", delays.Where(d => d.Ms > 20).Select(d => $"{d.Sequence}:{d.Ms:F0}")));

        // The old address is no longer forwarded, and the way back goes to the new one.
        for (ushort i = 0; i < 10; i++)
        {
            a.SendTo(UdpPhone.Rtp(i, 0xA), callerFacing);
            b.SendTo(UdpPhone.Rtp(i, 0xB), calleeFacing);
        }

        Assert.Empty(b.Drain(Quiet));
        Assert.Equal(10, moved.Drain(Quiet).Count);
        Assert.Empty(a.Drain(TimeSpan.FromMilliseconds(50)));
    }

    [NamespaceFact(Timeout = 120_000)]
    public async Task A_one_way_stream_lives_on_kernel_packets_and_ends_as_a_no_traffic_timeout_once_silent()
    {
        using var ng = await _net.StartRelayAsync("--stream-timeout", "3");
        using var a = _net.PhoneA();
        using var b = _net.PhoneB();
        var (callerFacing, calleeFacing) = await ConnectAsync(ng, "k4", a, b);

        // B never sends media again (no camera, recvonly): only A -> B flows, in the kernel, for 6 s (twice the timeout).
        for (ushort i = 1; i <= 300; i++)
        {
            a.SendTo(UdpPhone.Rtp(i, 0xA), callerFacing);
            await Task.Delay(20);
        }

        Assert.Equal(300, b.Drain(Quiet).Count);
        Assert.Contains("k4", await ng.ListCallsAsync(CancellationToken.None));
        var (_, kernel) = await SettledStatsAsync(ng, "k4", "a", 301);
        Assert.True(kernel >= 250, $"only {kernel} packets went through the kernel");

        // Silence both ways: the stream ends as it would in user space.
        var deadline = DateTime.UtcNow.AddSeconds(8);
        while ((await ng.ListCallsAsync(CancellationToken.None)).Contains("k4"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the silent call did not end:\n" + _net.Log);
            await Task.Delay(200);
        }

        // The call leaves the list before its end line is written (the log is written outside the control lock, by
        // the console's own thread): wait for the line.
        var logged = DateTime.UtcNow.AddSeconds(5);
        while (!_net.Log.Contains("session k4 ended: no-traffic timeout", StringComparison.Ordinal) && DateTime.UtcNow < logged)
        {
            await Task.Delay(100);
        }

        Assert.Contains("session k4 ended: no-traffic timeout", _net.Log, StringComparison.Ordinal);
        Assert.Contains("in the kernel)", _net.Log, StringComparison.Ordinal);
    }

    [NamespaceFact(Timeout = 120_000)]
    public async Task After_kill_9_nothing_stays_in_the_kernel_and_a_restart_forwards_anew()
    {
        var ng = await _net.StartRelayAsync();
        Assert.Contains("tcx links", _net.Log, StringComparison.Ordinal); // this kernel (6.6+) attaches with links
        using var a = _net.PhoneA();
        using var b = _net.PhoneB();
        var (callerFacing, calleeFacing) = await ConnectAsync(ng, "k5", a, b);
        await ExchangeAsync(a, b, callerFacing, calleeFacing, 10);
        ng.Dispose();

        // kill -9: none of the relay's clean-up runs, yet its flows stop with it (the links died with the process).
        await _net.KillRelayAsync();
        Assert.Equal(0, _net.RelayFilters());
        for (ushort i = 0; i < 10; i++)
        {
            a.SendTo(UdpPhone.Rtp(i, 0xA), callerFacing);
        }

        Assert.Empty(b.Drain(Quiet));

        // The next run starts clean and forwards in the kernel again.
        using var again = await _net.StartRelayAsync();
        Assert.DoesNotContain("removed the eBPF program an earlier run left", _net.Log, StringComparison.Ordinal);
        var (callerFacing2, calleeFacing2) = await ConnectAsync(again, "k5b", a, b);
        var (toB, toA) = await ExchangeAsync(a, b, callerFacing2, calleeFacing2, 100);
        Assert.Equal(100, toB.Count);
        Assert.Equal(100, toA.Count);
        Assert.Equal((101, 100), await SettledStatsAsync(again, "k5b", "a", 101));

        // A clean stop detaches everything as well.
        NetworkNamespace.Run("kill", "-TERM", _net.Relay.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).Check();
        Assert.True(await _net.Relay.WaitForExitAsync(TimeSpan.FromSeconds(15), CancellationToken.None), _net.Log);
        for (ushort i = 0; i < 10; i++)
        {
            a.SendTo(UdpPhone.Rtp(i, 0xA), callerFacing2);
        }

        Assert.Empty(b.Drain(Quiet));
    }

    /// <summary>Offer from A, answer from B, then one packet each way so both are learned and both directions go to the kernel.</summary>
    private static async Task<(int CallerFacing, int CalleeFacing)> ConnectAsync(NgClient ng, string callId, UdpPhone a, UdpPhone b)
    {
        var (callerFacing, calleeFacing) = await CallAsync(ng, callId, a, b);
        await LearnAsync(a, b, callerFacing, calleeFacing);
        return (callerFacing, calleeFacing);
    }

    public void Dispose() => _net.Dispose();
}
