using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MediaRelay.EndToEnd.Tests.Infrastructure;

/// <summary>
/// UDP port bookkeeping on 127.0.0.1: which local ports are bound right now (from /proc/net/udp and udp6, so it
/// sees every process, the relay included), and free ports or free ranges for one test. Ports handed out are
/// remembered for the life of the test process so two tests never get the same one.
/// </summary>
internal static class UdpPorts
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>Local UDP ports, in [<paramref name="min"/>, <paramref name="max"/>], bound by any process.</summary>
    public static IReadOnlyList<int> BoundInRange(int min, int max) =>
        BoundPorts().Where(p => p >= min && p <= max).Distinct().Order().ToList();

    // Single ports and sipp's blocks come from 20000-29999, relay ranges from 10000-19999: both below Linux's default
    // ephemeral range (32768-60999), so other processes' port-0 sockets cannot take them from under a test.

    /// <summary>A free, even port P such that P..P+<paramref name="count"/>-1 are all free (RTP, RTCP, sipp's +2 echo).</summary>
    public static int FreeBlock(int count) => FreeRange(count, evenStart: true, 20000, 29999);

    public static int FreePort() => FreeRange(1, evenStart: false, 20000, 29999);

    /// <summary>
    /// A free range of <paramref name="count"/> consecutive ports between <paramref name="low"/> and
    /// <paramref name="high"/>, starting on an even port when asked. Random start so parallel test processes rarely
    /// race for the same range; each candidate is checked against /proc and by binding every port once.
    /// </summary>
    public static int FreeRange(int count, bool evenStart, int low, int high)
    {
        lock (Gate)
        {
            var bound = BoundPorts().ToHashSet();
            for (var attempt = 0; attempt < 500; attempt++)
            {
                var start = Random.Shared.Next(low, high - count);
                if (evenStart)
                {
                    start &= ~1;
                }

                var ports = Enumerable.Range(start, count).ToList();
                if (ports.Any(p => bound.Contains(p) || HandedOut.Contains(p)) || !CanBindAll(ports))
                {
                    continue;
                }

                HandedOut.UnionWith(ports);
                return start;
            }

            throw new InvalidOperationException($"no {count} free consecutive UDP ports in {low}-{high}");
        }
    }

    private static bool CanBindAll(List<int> ports)
    {
        var sockets = new List<Socket>();
        try
        {
            foreach (var port in ports)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                sockets.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            }

            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    private static IEnumerable<int> BoundPorts()
    {
        foreach (var table in new[] { "/proc/net/udp", "/proc/net/udp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            // Rows look like "  12: 0100007F:9C40 00000000:0000 07 ...": the local address:port is column 2, port in hex.
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (columns.Length < 2)
                {
                    continue;
                }

                var colon = columns[1].LastIndexOf(':');
                if (colon > 0 && int.TryParse(columns[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port))
                {
                    yield return port;
                }
            }
        }
    }
}
