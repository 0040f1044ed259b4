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
