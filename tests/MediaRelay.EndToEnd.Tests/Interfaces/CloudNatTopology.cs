using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;

namespace MediaRelay.EndToEnd.Tests.Interfaces;

/// <summary>
/// A cloud VM behind its provider's 1:1 NAT, in three namespaces the test creates (documentation addresses only):
/// the internet I, where the phones are (198.51.100.10 and .20), the provider's router C (198.51.100.1 towards the
/// internet, 192.0.2.254 towards the VM) and the VM V (private address 192.0.2.1, default route via C). C forwards
/// and maps the public address 203.0.113.10 onto the VM with nftables: DNAT in, SNAT out. Its forward chain, as a
/// provider's network, passes into the VM only what the NAT mapped: the private address is not reachable from the
/// internet. The relay runs inside V.
/// </summary>
internal sealed class CloudNatTopology : NamespaceTopology
{
    public const string Public = "203.0.113.10";
    public const string Private = "192.0.2.1";
    public const string PhoneA = "198.51.100.10";
    public const string PhoneB = "198.51.100.20";
    private CloudNatTopology()
        : base("mediarelay-nat-", "mr-i-", "mr-c-", "mr-v-")
    {
    }

    public NetworkNamespace Internet => Namespace(0);

    public NetworkNamespace Cloud => Namespace(1);

    public NetworkNamespace Vm => Namespace(2);

    public static CloudNatTopology Create() => Wired(new CloudNatTopology());

    protected override void Wire()
    {
        Cloud.Ip("link", "add", "ci", "type", "veth", "peer", "name", "i0", "netns", Internet.Name).Check();
        Cloud.Ip("link", "add", "cv", "type", "veth", "peer", "name", "v0", "netns", Vm.Name).Check();
        Link(Cloud, "ci", ["198.51.100.1/24"], []);
        Link(Cloud, "cv", ["192.0.2.254/24"], []);
        Link(Internet, "i0", [PhoneA + "/24", PhoneB + "/24"], []);
        Link(Vm, "v0", [Private + "/24"], []);
        Internet.Ip("route", "add", "default", "via", "198.51.100.1").Check();
        Vm.Ip("route", "add", "default", "via", "192.0.2.254").Check();
        Cloud.Exec("sysctl", "-qw", "net.ipv4.ip_forward=1").Check();
        var rules = Path.Combine(WorkDirectory, "cloud-nat.nft");
        // Stateless, as a provider's 1:1 NAT: every packet to the public address has its destination rewritten (DNAT
        // in), every packet from the private address its source (SNAT out), checksums fixed by nft; no conntrack, so
        // the first packets of both directions at once cannot clash in a NAT table. Only mapped packets go in.
        File.WriteAllText(rules, $$"""
            table ip cloud_nat {
                chain prerouting {
                    type filter hook prerouting priority raw; policy accept;
                    notrack
                    iifname "ci" ip daddr {{Public}} ip daddr set {{Private}} meta mark set 0x1
                }
                chain forward {
                    type filter hook forward priority filter; policy drop;
                    iifname "cv" accept
                    iifname "ci" meta mark 0x1 accept
                }
                chain postrouting {
                    type filter hook postrouting priority 100; policy accept;
                    oifname "ci" ip saddr {{Private}} ip saddr set {{Public}}
                }
            }

            """);
        Cloud.Exec("nft", "-f", rules).Check();
    }

    /// <summary>A phone on the internet, sending to the public address.</summary>
    public UdpPhone Phone(string address, int port) => Internet.Enter(() => new UdpPhone(address, port, Public));

    /// <summary>Starts `mediarelay run` inside the VM with ng on 127.0.0.1:2223, ports 40000-40999 and <paramref name="arguments"/>.</summary>
    public Task<NgClient> StartRelayAsync(params string[] arguments) => StartRelayInAsync(Vm, arguments);
}
