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
        Sockets().Select(s => s.Port).Where(p => p >= min && p <= max).Distinct().Order().ToList();

    /// <summary>
    /// Local UDP ports in [<paramref name="min"/>, <paramref name="max"/>] bound by process <paramref name="processId"/>
    /// or its descendants: the socket inodes from the process's /proc/PID/net/udp (its own network namespace, which
    /// may be one a test created) matched against the processes' open descriptors, so another program on the machine
    /// that happens to use the same range does not count.
    /// </summary>
    public static IReadOnlyList<int> BoundInRangeBy(int processId, int min, int max)
    {
        var inodes = SocketInodesOf(processId);
        return Sockets($"/proc/{processId}/net").Where(s => s.Port >= min && s.Port <= max && inodes.Contains(s.Inode))
            .Select(s => s.Port).Distinct().Order().ToList();
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> (5 s when not given) until process <paramref name="processId"/> binds no
    /// port in the range, and returns what it still binds then. A relay keeps a freed port pair's sockets for its
    /// reuse time (`--port-reuse`, 2 s by default) and closes them at the sweep after it.
    /// </summary>
    public static async Task<IReadOnlyList<int>> BoundInRangeByOnceReusePassed(int processId, int min, int max, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            var bound = BoundInRangeBy(processId, min, max);
            if (bound.Count == 0 || DateTime.UtcNow > deadline)
            {
                return bound;
            }

            await Task.Delay(100);
        }
    }

    // Single ports and sipp's blocks come from 30000-32699, relay ranges from 20000-29999: both below Linux's default
    // ephemeral range (32768-60999), so other processes' port-0 sockets cannot take them from under a test, and
    // away from 10000-19999 and 40000-59999, the ranges relays (ours included) default to or are benchmarked with.

    /// <summary>A free, even port P such that P..P+<paramref name="count"/>-1 are all free (RTP, RTCP, sipp's +2 echo).</summary>
    public static int FreeBlock(int count) => FreeRange(count, evenStart: true, 30000, 32699);

    public static int FreePort() => FreeRange(1, evenStart: false, 30000, 32699);

    /// <summary>
    /// A free range of <paramref name="count"/> consecutive ports between <paramref name="low"/> and
    /// <paramref name="high"/>, starting on an even port when asked. Random start so parallel test processes rarely
    /// race for the same range; each candidate is checked against /proc and by binding every port once.
    /// </summary>
    public static int FreeRange(int count, bool evenStart, int low, int high)
    {
        lock (Gate)
        {
            var bound = Sockets().Select(s => s.Port).ToHashSet();
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                if (attempt == 500)
                {
                    // Late in a full run the ranges handed out fill the space; the tests that held them are done
                    // (end-to-end tests run one at a time) and what they still bind is in `bound`: reuse the rest.
                    HandedOut.Clear();
                }

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

    private static HashSet<string> SocketInodesOf(int rootProcessId)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<int>([rootProcessId]);
        while (pending.TryPop(out var processId))
        {
            try
            {
                foreach (var descriptor in Directory.EnumerateFiles($"/proc/{processId}/fd"))
                {
                    // Each socket descriptor links to "socket:[INODE]".
                    if (new FileInfo(descriptor).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
                    {
                        inodes.Add(target["socket:[".Length..^1]);
                    }
                }

                foreach (var task in Directory.EnumerateDirectories($"/proc/{processId}/task"))
                {
                    var children = File.ReadAllText(Path.Combine(task, "children"));
                    foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        pending.Push(int.Parse(child, CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The process or descriptor went away while we looked.
            }
        }

        return inodes;
    }

    /// <summary>The UDP sockets of one network namespace: this process's (/proc/net), or a process's (/proc/PID/net).</summary>
    private static IEnumerable<(int Port, string Inode)> Sockets(string directory = "/proc/net")
    {
        foreach (var table in new[] { directory + "/udp", directory + "/udp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            // Rows: "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...", the local
            // address as hex "0100007F:9C40", port after the last colon.
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (columns.Length < 10)
                {
                    continue;
                }

                var colon = columns[1].LastIndexOf(':');
                if (colon > 0 && int.TryParse(columns[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port))
                {
                    yield return (port, columns[9]);
                }
            }
        }
    }
}
