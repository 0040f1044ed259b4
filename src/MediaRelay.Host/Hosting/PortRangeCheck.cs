using System.Globalization;
using System.Net;
using MediaRelay.Core.Api;

namespace MediaRelay.Host.Hosting;

/// <summary>
/// At start, how many RTP/RTCP pairs of the port range other programs already hold on the relay's addresses (or on
/// the wildcard), read from /proc/net/udp and udp6: a range half taken by another relay would otherwise show only
/// as "Ran out of ports" under load.
/// </summary>
internal static class PortRangeCheck
{
    /// <summary>The RTP/RTCP pairs (even port, odd port) the range holds per interface address.</summary>
    public static int Pairs(RelayOptions options) => (options.PortMax - (options.PortMin + (options.PortMin & 1)) + 1) / 2;

    /// <summary>The pairs per interface address that cannot be bound now, and the ports taken; (0, 0) where /proc cannot be read.</summary>
    public static (int PairsTaken, int PortsTaken) Count(RelayOptions options)
    {
        var taken = new HashSet<int>();
        foreach (var file in (ReadOnlySpan<string>)["/proc/net/udp", "/proc/net/udp6"])
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file);
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var line in lines.AsSpan(1))
            {
                // "  sl  local_address rem_address ..." with local_address HEXIP:HEXPORT.
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 2)
                {
                    continue;
                }

                var colon = fields[1].LastIndexOf(':');
                if (colon < 0 || !int.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port)
                    || port < options.PortMin || port > options.PortMax || !Concerns(fields[1][..colon], options))
                {
                    continue;
                }

                taken.Add(port);
            }
        }

        var pairs = new HashSet<int>();
        foreach (var port in taken)
        {
            pairs.Add(port & ~1);
        }

        return (pairs.Count, taken.Count);
    }

    /// <summary>
    /// The ports of the relay's range that lie in the kernel's ephemeral range (net.ipv4.ip_local_port_range) and are
    /// not reserved (net.ipv4.ip_local_reserved_ports): any program's outgoing socket (a DNS lookup, a database
    /// connection) may be given one of them, and the relay cannot bind it while that lasts. Reserved is the kernel's
    /// list as it stands (one sysctl holds every program's reservations). Null where /proc cannot be read.
    /// </summary>
    public static (int Ports, int Low, int High, string Reserved)? EphemeralOverlap(
        RelayOptions options,
        string rangeFile = "/proc/sys/net/ipv4/ip_local_port_range",
        string reservedFile = "/proc/sys/net/ipv4/ip_local_reserved_ports")
    {
        string range;
        string reserved;
        try
        {
            range = File.ReadAllText(rangeFile);
            reserved = File.Exists(reservedFile) ? File.ReadAllText(reservedFile) : string.Empty;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        var bounds = range.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (bounds.Length < 2 || !int.TryParse(bounds[0], CultureInfo.InvariantCulture, out var low)
            || !int.TryParse(bounds[1], CultureInfo.InvariantCulture, out var high))
        {
            return null;
        }

        var reservedRanges = new List<(int From, int To)>();
        foreach (var item in reserved.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = item.IndexOf('-');
            if (dash < 0 && int.TryParse(item, CultureInfo.InvariantCulture, out var single))
            {
                reservedRanges.Add((single, single));
            }
            else if (dash > 0 && int.TryParse(item.AsSpan(0, dash), CultureInfo.InvariantCulture, out var from)
                && int.TryParse(item.AsSpan(dash + 1), CultureInfo.InvariantCulture, out var to))
            {
                reservedRanges.Add((from, to));
            }
        }

        var ports = 0;
        for (var port = Math.Max(options.PortMin, low); port <= Math.Min(options.PortMax, high); port++)
        {
            var isReserved = false;
            foreach (var (from, to) in reservedRanges)
            {
                isReserved |= port >= from && port <= to;
            }

            ports += isReserved ? 0 : 1;
        }

        return (ports, low, high, reserved.Trim());
    }

    /// <summary>A socket on the wildcard, or on one of the relay's addresses, blocks the relay's bind of that port.</summary>
    private static bool Concerns(string hexAddress, RelayOptions options)
    {
        if (hexAddress.Trim('0').Length == 0)
        {
            return true;
        }

        var bytes = Convert.FromHexString(hexAddress);
        // /proc writes each 32-bit word in host (little-endian) order.
        for (var i = 0; i + 4 <= bytes.Length; i += 4)
        {
            Array.Reverse(bytes, i, 4);
        }

        var address = new IPAddress(bytes);
        foreach (var relayInterface in options.EffectiveInterfaces)
        {
            var bind = relayInterface.Bind;
            if (bind.Equals(address) || (address.IsIPv4MappedToIPv6 && bind.Equals(address.MapToIPv4())))
            {
                return true;
            }
        }

        return false;
    }
}
