using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using MediaRelay.Transport.Native;

namespace MediaRelay.Transport.Kernel;

/// <summary>
/// Where a kernel-forwarded packet leaves, resolved once when its direction is installed rather than by the
/// program per packet: the kernel's own route choice (a UDP socket connected to the receiver, which sends
/// nothing, tells the source address the kernel would use; that address names the interface). A receiver on this
/// host is delivered by the stack instead. This spares the program bpf_fib_lookup, which refuses while IP
/// forwarding is off on the ingress interface, so the relay never has to turn host routing on.
/// Threading: the kernel worker only.
/// </summary>
internal sealed class EgressResolver
{
    private Dictionary<IPAddress, int> _interfaceOf = [];
    private readonly Dictionary<IPAddress, (int IfIndex, bool Local)> _routes = [];
    private DateTime _readAt;

    /// <summary>
    /// The egress interface index for packets from <paramref name="relay"/> to <paramref name="receiver"/> (0 when
    /// unknown: the program then asks the FIB) and whether the receiver is on this host. The choice is fixed at
    /// install: a route change during a call is not followed by the kernel path (a re-learn reinstalls).
    /// </summary>
    public (int IfIndex, bool Local) Resolve(IPEndPoint relay, IPEndPoint receiver)
    {
        Refresh();
        var address = receiver.Address;
        if (IPAddress.IsLoopback(address) || _interfaceOf.ContainsKey(address))
        {
            return (0, true);
        }

        // Many calls reach the same address (a PBX, an SBC, a carrier): ask the kernel once per refresh period.
        if (_routes.TryGetValue(address, out var known))
        {
            return known;
        }

        try
        {
            // Unbound on purpose: the source the kernel picks belongs to the route's egress interface (its preferred
            // source), while the relay's own address may sit on another one. Source-based policy routing
            // (`ip rule from RELAY`) is therefore not followed; such hosts should run with --kernel-forwarding off.
            using var probe = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(receiver);
            var source = ((IPEndPoint)probe.LocalEndPoint!).Address;
            var route = (_interfaceOf.GetValueOrDefault(source), false);
            _routes[address] = route;
            return route;
        }
        catch (SocketException)
        {
            return (0, false); // no route now: let the program's FIB lookup decide (it passes the packet up on failure)
        }
    }

    /// <summary>Re-reads the host's addresses, and forgets the routes asked, at most every 10 s: interfaces and routes change.</summary>
    private void Refresh()
    {
        if (DateTime.UtcNow - _readAt < TimeSpan.FromSeconds(10))
        {
            return;
        }

        var map = new Dictionary<IPAddress, int>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            var ifIndex = (int)LibbpfNative.IfNameToIndex(nic.Name);
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                map.TryAdd(unicast.Address, ifIndex);
            }
        }

        _interfaceOf = map;
        _routes.Clear();
        _readAt = DateTime.UtcNow;
    }
}
