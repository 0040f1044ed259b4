using System.Globalization;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.EndToEnd.Tests.Relays;

namespace MediaRelay.EndToEnd.Tests.Kernel;

/// <summary>A fact that runs only where network namespaces can be created (root, iproute2); skipped with the reason otherwise.</summary>
public sealed class NamespaceFactAttribute : FactAttribute
{
    public NamespaceFactAttribute()
    {
        if (!NetworkNamespace.CanCreate(out var reason))
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that runs only where network namespaces can be created (root, iproute2); skipped with the reason otherwise.</summary>
public sealed class NamespaceTheoryAttribute : TheoryAttribute
{
    public NamespaceTheoryAttribute()
    {
        if (!NetworkNamespace.CanCreate(out var reason))
        {
            Skip = reason;
        }
    }
}

/// <summary>
/// Phone A, the relay R and phone B in three namespaces the test creates, joined by veth pairs with checksum
/// offload off (so a bad rewrite is dropped, DESIGN 4.1), addresses from documentation ranges:
/// A 198.51.100.10 (and .11 to move to), 2001:db8:1::10 — R 198.51.100.1, 2001:db8:1::1 towards A and
/// 192.0.2.1, 2001:db8:2::1 towards B — B 192.0.2.10, 2001:db8:2::10. Both phones reach the relay's address
/// 198.51.100.1 (2001:db8:1::1); the relay runs inside R with kernel forwarding on.
/// </summary>
internal sealed class KernelTopology : NamespaceTopology
{
    public const string RelayV4 = "198.51.100.1";
    public const string RelayV6 = "2001:db8:1::1";

    private KernelTopology()
        : base("mediarelay-kernel-", "mr-a-", "mr-r-", "mr-b-")
    {
    }

    public NetworkNamespace A => Namespace(0);

    public NetworkNamespace R => Namespace(1);

    public NetworkNamespace B => Namespace(2);

    public static KernelTopology Create() => Wired(new KernelTopology());

    protected override void Wire()
    {
        R.Ip("link", "add", "ra", "type", "veth", "peer", "name", "a0", "netns", A.Name).Check();
        R.Ip("link", "add", "rb", "type", "veth", "peer", "name", "b0", "netns", B.Name).Check();
        Link(R, "ra", ["198.51.100.1/24"], ["2001:db8:1::1/64"]);
        Link(R, "rb", ["192.0.2.1/24"], ["2001:db8:2::1/64"]);
        Link(A, "a0", ["198.51.100.10/24", "198.51.100.11/24"], ["2001:db8:1::10/64"]);
        Link(B, "b0", ["192.0.2.10/24"], ["2001:db8:2::10/64"]);
        A.Ip("route", "add", "default", "via", "198.51.100.1").Check();
        A.Ip("-6", "route", "add", "default", "via", "2001:db8:1::1").Check();
        B.Ip("route", "add", "default", "via", "192.0.2.1").Check();
        B.Ip("-6", "route", "add", "default", "via", "2001:db8:2::1").Check();
    }

    /// <summary>
    /// Two networks that reach each other in no way: A and B lose their default routes, so A knows only
    /// 198.51.100.0/24 and 2001:db8:1::/64 (R's side "ra"), B only 192.0.2.0/24 and 2001:db8:2::/64 ("rb"); R does
    /// not route either (forwarding is off in a new namespace). Only the relay joins them.
    /// </summary>
    public void Isolate()
    {
        A.Ip("route", "del", "default").Check();
        A.Ip("-6", "route", "del", "default").Check();
        B.Ip("route", "del", "default").Check();
        B.Ip("-6", "route", "del", "default").Check();
    }

    /// <summary>A phone inside A (198.51.100.10:30000 unless told), sending to <paramref name="relay"/>, else the relay's address of its family.</summary>
    public UdpPhone PhoneA(string address = "198.51.100.10", int port = 30000, string? relay = null) =>
        A.Enter(() => new UdpPhone(address, port, relay ?? RelayFor(address)));

    /// <summary>A phone inside B (192.0.2.10:31000 unless told), sending to <paramref name="relay"/>, else the relay's address of its family.</summary>
    public UdpPhone PhoneB(string address = "192.0.2.10", int port = 31000, string? relay = null) =>
        B.Enter(() => new UdpPhone(address, port, relay ?? RelayFor(address)));

    private static string RelayFor(string address) => address.Contains(':', StringComparison.Ordinal) ? RelayV6 : RelayV4;

    /// <summary>Starts `mediarelay run` inside R with kernel forwarding on; returns its ng client (made inside R).</summary>
    public Task<NgClient> StartRelayAsync(params string[] extra) =>
        StartRelayOnAsync(["--relay-address", RelayV4, "--relay-address-v6", RelayV6, "--kernel-forwarding", "on", .. extra]);

    /// <summary>
    /// Starts `mediarelay run` inside R with ng on 127.0.0.1:2223, ports 40000-40999, no delete delay and
    /// <paramref name="arguments"/> (the addresses or interfaces, kernel forwarding); returns its ng client (made inside R).
    /// </summary>
    public Task<NgClient> StartRelayOnAsync(IEnumerable<string> arguments) => StartRelayInAsync(R, arguments);

    /// <summary>SIGKILL to the relay: nothing of its own clean-up runs.</summary>
    public async Task KillRelayAsync()
    {
        NetworkNamespace.Run("kill", "-9", Relay.Id.ToString(CultureInfo.InvariantCulture)).Check();
        Assert.True(await Relay.WaitForExitAsync(TimeSpan.FromSeconds(10), CancellationToken.None));
    }

    /// <summary>MediaRelay's cls_bpf TC filters (handle 0x4d52NNNN, NNNN the ng port 2223) on R's interfaces (kernels without tcx).</summary>
    public int RelayFilters() =>
        new[] { "ra", "rb" }.Sum(device => R.Exec("tc", "filter", "show", "dev", device, "ingress").Output
            .Split('\n').Count(line => line.Contains("handle 0x4d5208af", StringComparison.Ordinal)));
}
