using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;

namespace MediaRelay.Host.Configuration;

/// <summary>
/// Reads <c>--interface NAME/BIND[!ADVERTISED]</c> (config <c>Interfaces</c>), as rtpengine spells it: the first
/// interface is the default; one name may hold one IPv4 and one IPv6 address. Errors say what is wrong and what to give.
/// </summary>
internal static class InterfaceSettings
{
    public static List<RelayInterface> Parse(IEnumerable<string> texts, IReadOnlyCollection<IPAddress> hostAddresses, List<string> errors)
    {
        var interfaces = new List<RelayInterface>();
        foreach (var raw in texts)
        {
            var text = raw.Trim();
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            var bang = text.IndexOf('!', StringComparison.Ordinal);
            var name = slash > 0 ? text[..slash] : "";
            var bindText = slash > 0 ? (bang > slash ? text[(slash + 1)..bang] : text[(slash + 1)..]) : "";
            var advertisedText = bang > slash && slash > 0 ? text[(bang + 1)..] : null;
            if (name.Length == 0 || !IsName(name) || !IPAddress.TryParse(bindText, out var bind)
                || (advertisedText is not null && !IPAddress.TryParse(advertisedText, out _)))
            {
                errors.Add($"interface '{raw}' is not NAME/BIND[!ADVERTISED]: give e.g. external/10.0.0.5!203.0.113.10 (name: letters, digits, '-', '_'; addresses: IP addresses)");
                continue;
            }

            var advertised = advertisedText is null ? null : IPAddress.Parse(advertisedText);
            if (advertised is not null && advertised.AddressFamily != bind.AddressFamily)
            {
                errors.Add($"interface '{raw}': the advertised address {advertised} is not of the bind address's family; give one interface per family (a name may hold one IPv4 and one IPv6 address)");
                continue;
            }

            if (bind.Equals(IPAddress.Any) || bind.Equals(IPAddress.IPv6Any))
            {
                errors.Add($"interface '{raw}': bind to one address, not {bind}: the relay must know which address a phone reaches");
                continue;
            }

            if (!IPAddress.IsLoopback(bind) && hostAddresses.Count > 0 && !hostAddresses.Contains(bind))
            {
                errors.Add($"interface '{raw}': {bind} is not an address of this machine (it has {string.Join(", ", hostAddresses)}); give one of them, and the public address after '!'");
                continue;
            }

            if (interfaces.Exists(i => i.Name == name && i.Family == bind.AddressFamily))
            {
                errors.Add($"interface name '{name}' is given twice for {(bind.AddressFamily == AddressFamily.InterNetwork ? "IPv4" : "IPv6")}: each name holds at most one IPv4 and one IPv6 address; give the second another name");
                continue;
            }

            interfaces.Add(new RelayInterface(name, bind, advertised));
        }

        return interfaces;
    }

    private static bool IsName(string name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
