using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.EndToEnd.Tests.Relays;
using static MediaRelay.EndToEnd.Tests.Infrastructure.RelayProcess;

namespace MediaRelay.EndToEnd.Tests.Kernel;

/// <summary>
/// Kernel forwarding where the kernel refuses it: the relay started without CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN and
/// CAP_PERFMON (dropped from the bounding set with setpriv, as a container or an unprivileged unit would run it).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class KernelPermissionTests : IDisposable
{
    private static readonly string[] WithoutBpf = ["/usr/bin/setpriv", "--bounding-set", "-bpf,-net_admin,-sys_admin,-perfmon", "--"];
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("mediarelay-kernel-perm-").FullName;

    [NamespaceFact(Timeout = 60_000)]
    public async Task On_without_permission_refuses_to_start_and_says_what_to_do()
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 20);
        using var process = Start(_workDirectory, RunOn(endpoints, "--kernel-forwarding", "on"), WithoutBpf);

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30), CancellationToken.None), process.Log);
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("mediarelay: kernel forwarding is on but cannot run: the kernel refused to load the eBPF program", process.Log, StringComparison.Ordinal);
        Assert.Contains("grant CAP_BPF", process.Log, StringComparison.Ordinal);
        Assert.Contains("Give --kernel-forwarding auto to run in user space instead", process.Log, StringComparison.Ordinal);
    }

    [NamespaceFact(Timeout = 60_000)]
    public async Task Auto_without_permission_says_why_in_one_line_and_relays_in_user_space()
    {
        var endpoints = RelayEndpoints.Allocate(mediaPorts: 20);
        using var process = Start(_workDirectory, RunOn(endpoints), WithoutBpf);
        using var ng = new NgClient(endpoints.Ng);
        await WaitForNgAsync(ng, process);
        using var a = new UdpPhone();
        using var b = new UdpPhone();
        var (callerFacing, calleeFacing) = await NgCalls.CallAsync(ng, "perm", a, b);
        a.SendTo(UdpPhone.Rtp(1, 0xA), callerFacing);
        b.SendTo(UdpPhone.Rtp(1, 0xB), calleeFacing);

        Assert.Single(b.Drain(TimeSpan.FromMilliseconds(500)));
        Assert.Single(a.Drain(TimeSpan.FromMilliseconds(500)));
        Assert.Single(process.Log.Split('\n'), line => line.Contains("kernel forwarding is not available (the kernel refused to load the eBPF program", StringComparison.Ordinal));
        Assert.DoesNotContain("kernel forwarding: eBPF", process.Log, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);
}
