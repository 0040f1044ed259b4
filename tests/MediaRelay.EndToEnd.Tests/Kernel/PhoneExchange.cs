using System.Net;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.EndToEnd.Tests.Kernel;

/// <summary>RTP between two phones through the relay's ports, and the relay's per-party counters, for the namespace tests.</summary>
internal static class PhoneExchange
{
    /// <summary>How long a phone listens after the last packet before it counts what arrived.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// One packet each way (sequence 0) so the relay learns both phones, and with kernel forwarding installs both
    /// directions; each must arrive.
    /// </summary>
    public static async Task LearnAsync(UdpPhone a, UdpPhone b, int callerFacing, int calleeFacing)
    {
        a.SendTo(UdpPhone.Rtp(0, 0xA), callerFacing);
        b.SendTo(UdpPhone.Rtp(0, 0xB), calleeFacing);
        var toB = b.Drain(Quiet);
        var toA = a.Drain(Quiet);
        Assert.True(toB.Count == 1 && toA.Count == 1, $"the first packets: B got {toB.Count}, A got {toA.Count} (1 each expected)");
        await Task.Delay(100); // the kernel worker installs both directions (microseconds; see the install figure)
    }

    /// <summary>Sends <paramref name="count"/> packets each way (sequence 1..count), paced; returns what each phone got.</summary>
    public static async Task<(List<(byte[] Data, IPEndPoint From)> ToB, List<(byte[] Data, IPEndPoint From)> ToA)> ExchangeAsync(
        UdpPhone a, UdpPhone b, int callerFacing, int calleeFacing, int count)
    {
        // Dedicated threads: two blocking receivers must not hold the pool threads the sender's awaits need. They stop
        // on a quiet spell only once everything was sent: on a busy machine the sender's short pauses can last longer.
        var sent = new TaskCompletionSource();
        List<(byte[] Data, IPEndPoint From)> Receive(UdpPhone phone)
        {
            var received = new List<(byte[] Data, IPEndPoint From)>();
            while (received.Count < count)
            {
                if (phone.ReceiveOne(Quiet) is { } packet)
                {
                    received.Add(packet);
                }
                else if (sent.Task.IsCompleted)
                {
                    break;
                }
            }

            return received;
        }

        var toB = Task.Factory.StartNew(() => Receive(b), TaskCreationOptions.LongRunning);
        var toA = Task.Factory.StartNew(() => Receive(a), TaskCreationOptions.LongRunning);
        for (var i = 1; i <= count; i++)
        {
            a.SendTo(UdpPhone.Rtp((ushort)i, 0xA), callerFacing);
            b.SendTo(UdpPhone.Rtp((ushort)i, 0xB), calleeFacing);
            if (i % 50 == 0)
            {
                await Task.Delay(5);
            }
        }

        sent.SetResult();
        return (await toB, await toA);
    }

    /// <summary>
    /// The RTP "stats" and "kernel stats" packets of one party (packets it sent), once the total reached
    /// <paramref name="expectedTotal"/> (kernel counters are read once a second) or after 5 s.
    /// </summary>
    public static async Task<(long Total, long Kernel)> SettledStatsAsync(NgClient ng, string callId, string tag, long expectedTotal)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var media = await MediaAsync(ng, callId, tag);
            var rtp = (BencodeDictionary)media.GetList("streams")!.Items[0];
            var total = rtp.GetDictionary("stats")!.GetInteger("packets") ?? 0;
            var kernel = rtp.GetDictionary("kernel stats")!.GetInteger("packets") ?? 0;
            if (total >= expectedTotal || DateTime.UtcNow > deadline)
            {
                return (total, kernel);
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The first media of party <paramref name="tag"/> in the ng "query" reply of <paramref name="callId"/>.</summary>
    public static async Task<BencodeDictionary> MediaAsync(NgClient ng, string callId, string tag)
    {
        var query = await ng.QueryAsync(callId, CancellationToken.None) ?? throw new InvalidOperationException($"the relay does not know call {callId}");
        return (BencodeDictionary)query.GetDictionary("tags")!.GetDictionary(tag)!.GetList("medias")!.Items[0];
    }
}
