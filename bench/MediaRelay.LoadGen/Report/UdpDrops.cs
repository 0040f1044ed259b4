using System.Globalization;

namespace MediaRelay.LoadGen.Report;

/// <summary>
/// Sums the kernel's per-socket receive drop counters (last column of /proc/net/udp and udp6) for sockets bound
/// to the given local ports: tells whether lost packets died in the relay's receive queues or the generator's.
/// </summary>
internal static class UdpDrops
{
    public static long Sum(IReadOnlySet<int> localPorts)
    {
        long total = 0;
        foreach (var file in new[] { "/proc/net/udp", "/proc/net/udp6" })
        {
            try
            {
                foreach (var line in File.ReadLines(file).Skip(1))
                {
                    var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (fields.Length < 13)
                    {
                        continue;
                    }

                    var local = fields[1];
                    var colon = local.LastIndexOf(':');
                    if (colon < 0 || !int.TryParse(local.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port))
                    {
                        continue;
                    }

                    if (localPorts.Contains(port) && long.TryParse(fields[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var drops))
                    {
                        total += drops;
                    }
                }
            }
            catch (IOException)
            {
                // Not Linux, or /proc hidden: the figure reads 0.
            }
        }

        return total;
    }
}
