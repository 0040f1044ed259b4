using System.Net;
using System.Runtime.InteropServices;
using MediaRelay.Core.Forwarding;
using MediaRelay.Transport.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Transport.Kernel;

/// <summary>
/// Kernel forwarding with the eBPF program of Bpf/mr_forward.bpf.c on the TC ingress hook of the media interfaces
/// (DESIGN 4.1). Loads the object embedded in this assembly, removes what a crashed run left on every interface,
/// attaches the program under MediaRelay's own filter handle and priority, and manages the <c>mr_flows</c> map:
/// one entry per direction, inserted and deleted with single bpf(2) calls on the kernel worker. Each entry names a
/// slot of <c>mr_counters</c>, an array mapped into this process: the once-a-second read of every direction's
/// counters is a few loads per direction, with no system call (a batched lookup of the hash map cost about a
/// microsecond per direction, most of the relay's CPU once its calls ran in the kernel).
/// Threading: the kernel worker only (see <see cref="KernelQueue"/>); creation and disposal from the host.
/// </summary>
public sealed unsafe class BpfKernelBackend : IKernelBackend
{
    /// <summary>
    /// The TC filter priority of MediaRelay's programs ("MR"). Each instance's filter handle is 0x4d52 in the high
    /// half and the instance number (its first ng port) in the low half: a restart finds and removes its own
    /// crashed predecessor's filter, and never another instance's on the same host.
    /// </summary>
    public const uint FilterPriority = 0x4d52;
    private const string ObjectResource = "MediaRelay.Transport.Kernel.mr_forward.bpf.o";

    /// <summary>max_entries of mr_flows in Bpf/mr_forward.bpf.c: the most a relay asks for.</summary>
    public const int MaxFlows = 131072;

    private readonly ILogger _logger;
    private readonly uint _handle;
    private readonly List<(string Name, int IfIndex, int LinkFd)> _attached = [];
    private readonly EgressResolver _egress = new();

    /// <summary>Slots never used yet (the next is <see cref="_freshSlots"/>), then those freed longest ago.</summary>
    private readonly Queue<int> _freedSlots = new();
    private int _freshSlots;
    private int _slotCount;
    private byte* _counters;
    private nuint _countersLength;
    private bool _onLoopback;
    private nint _object;
    private int _mapFd;

    private BpfKernelBackend(ILogger logger, uint handle)
    {
        _logger = logger;
        _handle = handle;
    }

    /// <summary>The filter handle of instance <paramref name="instance"/> (0x4d52 in the high 16 bits).</summary>
    public static uint HandleOf(int instance) => 0x4d520000u | ((uint)instance & 0xffffu);

    public string Description => "eBPF on TC ingress of " + string.Join(", ", _attached.Select(a => a.Name))
        + (_attached.Count > 0 && _attached.TrueForAll(a => a.LinkFd >= 0) ? " (tcx links: detached by the kernel if the relay dies)" : " (cls_bpf filters)");

    /// <summary>The interfaces carrying the program.</summary>
    public IReadOnlyList<string> Interfaces => _attached.ConvertAll(a => a.Name);

    /// <summary>
    /// Loads and attaches the program on <paramref name="interfaces"/>; null with the reason (what the kernel or the
    /// machine refused, and what to do) when it cannot.
    /// </summary>
    /// <remarks>
    /// <paramref name="maxFlows"/> (0: the program's 131072) sizes the flow map: the counter read walks every bucket,
    /// so a map sized to the relay's port range is read in a fraction of the time.
    /// </remarks>
    public static BpfKernelBackend? TryCreate(IReadOnlyList<string> interfaces, int instance, ILogger? logger, out string? reason, int maxFlows = 0)
    {
        logger ??= NullLogger.Instance;
        if (!LibbpfNative.TryLoadLibrary(out reason))
        {
            return null;
        }

        using var resource = typeof(BpfKernelBackend).Assembly.GetManifestResourceStream(ObjectResource);
        if (resource is null)
        {
            reason = "the eBPF program was not built into this binary (clang was missing at build time: install clang and libbpf-dev, then rebuild)";
            return null;
        }

        var image = new byte[resource.Length];
        resource.ReadExactly(image);
        var backend = new BpfKernelBackend(logger, HandleOf(instance));
        if (!backend.TryLoad(image, maxFlows, out reason) || !backend.TryAttach(interfaces, out reason))
        {
            backend.Dispose();
            return null;
        }

        backend.WarmUp();
        return backend;
    }

    /// <summary>
    /// Runs one install and removal of a flow no packet can match (documentation addresses, port 9, never bound)
    /// before the first call: the first real direction then costs what every later one does, not the JIT's and
    /// the interface list's milliseconds.
    /// </summary>
    private void WarmUp()
    {
        var nowhere = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 9);
        var relay = new IPEndPoint(IPAddress.Parse("192.0.2.2"), 9);
        var flow = new KernelFlow(relay, nowhere, relay, nowhere);
        if (TryInstall(flow))
        {
            Remove(flow);
        }
    }

    /// <summary>The interfaces to attach to: loopback when the relay's address is loopback, else every Ethernet interface that is up.</summary>
    public static IReadOnlyList<string> InterfacesFor(IReadOnlyList<IPAddress> relayAddresses)
    {
        var loopback = false;
        foreach (var address in relayAddresses)
        {
            loopback |= IPAddress.IsLoopback(address);
        }

        var names = new List<string>();
        foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
        {
            // The program parses a 14-byte Ethernet header (lo has one too): L3 devices (WireGuard, tun, ipip) have
            // none and are left alone; their media stays in user space.
            var isLoopback = nic.NetworkInterfaceType == System.Net.NetworkInformation.NetworkInterfaceType.Loopback;
            var isEthernet = nic.NetworkInterfaceType is System.Net.NetworkInformation.NetworkInterfaceType.Ethernet
                or System.Net.NetworkInformation.NetworkInterfaceType.GigabitEthernet or System.Net.NetworkInformation.NetworkInterfaceType.FastEthernetT
                or System.Net.NetworkInformation.NetworkInterfaceType.Wireless80211;
            if (isLoopback ? loopback : isEthernet && nic.OperationalStatus != System.Net.NetworkInformation.OperationalStatus.Down && !loopback)
            {
                names.Add(nic.Name);
            }
        }

        return names;
    }

    public bool TryInstall(KernelFlow flow)
    {
        Span<byte> key = stackalloc byte[FlowEntries.KeySize];
        Span<byte> value = stackalloc byte[FlowEntries.ValueSize];
        var (egress, local) = _egress.Resolve(flow.OutLocal, flow.OutRemote);
        if (local && !_onLoopback)
        {
            // A receiver on this host reached through another interface than lo: rewritten at that ingress, its
            // local source address would be dropped as a martian (accept_local=0). Such a direction stays in user space.
            return false;
        }

        if (flow.BackendSlot >= 0 || !TryTakeSlot(out var slot))
        {
            return false; // installed already, or every slot in use (the map is as full): stays in user space
        }

        if (!FlowEntries.TryWrite(flow, key, value, egress, local, slot))
        {
            _freedSlots.Enqueue(slot);
            return false;
        }

        // The slot starts at zero before the entry names it; nothing else counts into it meanwhile.
        FlowEntries.ClearCounters(_counters + ((nuint)slot * FlowEntries.CounterSize));
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var result = LibbpfNative.MapUpdate(_mapFd, k, v, LibbpfNative.Any);
            if (result < 0)
            {
                _freedSlots.Enqueue(slot);
                KernelLog.InstallRefused(_logger, flow.ToString(), -result, Marshal.GetPInvokeErrorMessage(-result));
                return false;
            }
        }

        flow.BackendSlot = slot;
        return true;
    }

    /// <summary>
    /// A counter slot for a new entry: never-used ones first, then the one freed longest ago, so a packet the
    /// program was still counting when its entry went lands in the old direction's slot, not in a new one's.
    /// </summary>
    private bool TryTakeSlot(out int slot)
    {
        if (_freshSlots < _slotCount)
        {
            slot = _freshSlots++;
            return true;
        }

        return _freedSlots.TryDequeue(out slot);
    }

    public (long Packets, long Bytes) Remove(KernelFlow flow)
    {
        var slot = flow.BackendSlot;
        if (slot < 0)
        {
            return (flow.Packets, flow.Bytes); // never installed here
        }

        flow.BackendSlot = -1;
        Span<byte> key = stackalloc byte[FlowEntries.KeySize];
        Span<byte> value = stackalloc byte[FlowEntries.ValueSize];
        if (FlowEntries.TryWrite(flow, key, value))
        {
            fixed (byte* k = key)
            {
                var deleted = LibbpfNative.MapDelete(_mapFd, k);
                if (deleted < 0 && deleted != -LibbpfNative.ENoEnt)
                {
                    KernelLog.RemoveFailed(_logger, flow.ToString(), -deleted);
                }
            }
        }

        // Read after the delete: no packet finds the entry any more, so these are the direction's final counts.
        var counters = FlowEntries.ReadCounters(_counters + ((nuint)slot * FlowEntries.CounterSize));
        _freedSlots.Enqueue(slot);
        return counters;
    }

    public void Read(IReadOnlyList<KernelFlow> flows, Span<(long Packets, long Bytes)> counters)
    {
        for (var i = 0; i < flows.Count; i++)
        {
            var slot = flows[i].BackendSlot;
            counters[i] = slot >= 0
                ? FlowEntries.ReadCounters(_counters + ((nuint)slot * FlowEntries.CounterSize))
                : (flows[i].Packets, flows[i].Bytes);
        }
    }

    private bool TryLoad(byte[] image, int maxFlows, out string? reason)
    {
        fixed (byte* bytes = image)
        {
            _object = LibbpfNative.ObjectOpenMem(bytes, (nuint)image.Length, 0);
        }

        if (_object == 0)
        {
            reason = $"libbpf could not open the eBPF object (errno {Marshal.GetLastPInvokeError()})";
            return false;
        }

        var flowMap = LibbpfNative.FindMap(_object, "mr_flows");
        var counterMap = LibbpfNative.FindMap(_object, "mr_counters");
        if (flowMap == 0 || counterMap == 0)
        {
            reason = "the eBPF object has no mr_flows or mr_counters map: rebuild MediaRelay.Transport";
            return false;
        }

        if (maxFlows > 0)
        {
            // Never above the program's own limit: the maps' memory is charged to the relay's cgroup.
            var entries = (uint)Math.Clamp(maxFlows, 64, MaxFlows);
            _ = LibbpfNative.MapSetMaxEntries(flowMap, entries);
            _ = LibbpfNative.MapSetMaxEntries(counterMap, entries);
        }

        var loaded = LibbpfNative.ObjectLoad(_object);
        if (loaded < 0)
        {
            reason = $"the kernel refused to load the eBPF program: {Marshal.GetPInvokeErrorMessage(-loaded)} (errno {-loaded}); "
                + "run as root or grant CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON (systemd: AmbientCapabilities=), and check that the kernel is 5.10 or newer";
            return false;
        }

        if (LibbpfNative.FindProgram(_object, "mr_ingress") == 0)
        {
            reason = "the eBPF object has no mr_ingress program: rebuild MediaRelay.Transport";
            return false;
        }

        _mapFd = LibbpfNative.MapFd(flowMap);
        _slotCount = (int)LibbpfNative.MapMaxEntries(counterMap);
        _countersLength = (nuint)(((long)_slotCount * FlowEntries.CounterSize + 4095) & ~4095L);
        var mapped = LibbpfNative.Mmap(null, _countersLength, LibbpfNative.ProtRead | LibbpfNative.ProtWrite, LibbpfNative.MapShared,
            LibbpfNative.MapFd(counterMap), 0);
        if (mapped == (void*)-1)
        {
            _countersLength = 0;
            reason = $"cannot map the eBPF counters into memory (errno {Marshal.GetLastPInvokeError()}): the kernel needs BPF_F_MMAPABLE arrays (Linux 5.5+)";
            return false;
        }

        _counters = (byte*)mapped;
        reason = null;
        return true;
    }

    private bool TryAttach(IReadOnlyList<string> interfaces, out string? reason)
    {
        var stale = RemoveStale(_handle);
        if (stale > 0)
        {
            KernelLog.StaleRemoved(_logger, stale);
        }

        var programFd = LibbpfNative.ProgramFd(LibbpfNative.FindProgram(_object, "mr_ingress"));
        foreach (var name in interfaces)
        {
            var ifIndex = (int)LibbpfNative.IfNameToIndex(name);
            if (ifIndex == 0)
            {
                continue; // gone since it was listed
            }

            // tcx (Linux 6.6+): the attachment is a bpf_link that lives exactly as long as this process holds its
            // descriptor, so a crash or kill -9 leaves nothing behind. Older kernels: a cls_bpf filter with our handle.
            var link = LibbpfNative.LinkCreate(programFd, ifIndex, LibbpfNative.TcxIngress, 0);
            if (link >= 0)
            {
                _attached.Add((name, ifIndex, link));
                _onLoopback |= name == "lo";
                continue;
            }

            if (link != -LibbpfNative.EInval && link != -LibbpfNative.EOpNotSupp)
            {
                reason = $"cannot attach the eBPF program to TC ingress of {name}: {Marshal.GetPInvokeErrorMessage(-link)} (errno {-link}); grant CAP_NET_ADMIN and CAP_BPF";
                return false;
            }

            var hook = Hook(ifIndex);
            var created = LibbpfNative.TcHookCreate(&hook);
            if (created < 0 && created != -LibbpfNative.EExist)
            {
                reason = $"cannot add the clsact qdisc to {name}: {Marshal.GetPInvokeErrorMessage(-created)} (errno {-created}); grant CAP_NET_ADMIN";
                return false;
            }

            var options = Options(programFd, _handle);
            var attached = LibbpfNative.TcAttach(&hook, &options);
            if (attached < 0)
            {
                reason = $"cannot attach the eBPF program to TC ingress of {name}: {Marshal.GetPInvokeErrorMessage(-attached)} (errno {-attached}); grant CAP_NET_ADMIN";
                return false;
            }

            _attached.Add((name, ifIndex, -1));
            _onLoopback |= name == "lo";
        }

        if (_attached.Count == 0)
        {
            reason = "no network interface to attach the eBPF program to";
            return false;
        }

        reason = null;
        return true;
    }

    /// <summary>
    /// Detaches MediaRelay's cls_bpf filter (by its handle and priority) from every interface: on kernels without
    /// tcx, after a crash (kill -9) the program stayed attached and kept forwarding its old flows; nothing else is
    /// touched. (With tcx links nothing survives the process.)
    /// </summary>
    public static int RemoveStale(uint handle)
    {
        var removed = 0;
        // Most interfaces have no clsact qdisc, hence no filter of ours: libbpf would print the kernel's
        // "Parent Qdisc doesn't exists" for each. Silence it for the sweep only.
        var print = LibbpfNative.SetPrint(0);
        foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
        {
            var ifIndex = (int)LibbpfNative.IfNameToIndex(nic.Name);
            if (ifIndex == 0)
            {
                continue;
            }

            var hook = Hook(ifIndex);
            var options = Options(0, handle);
            if (LibbpfNative.TcDetach(&hook, &options) == 0)
            {
                removed++;
            }
        }

        LibbpfNative.SetPrint(print);
        return removed;
    }

    private static LibbpfNative.TcHook Hook(int ifIndex) =>
        new() { Size = (nuint)sizeof(LibbpfNative.TcHook), IfIndex = ifIndex, AttachPoint = LibbpfNative.TcIngress };

    private static LibbpfNative.TcOpts Options(int programFd, uint handle) =>
        new() { Size = (nuint)sizeof(LibbpfNative.TcOpts), ProgramFd = programFd, Handle = handle, Priority = FilterPriority };

    /// <summary>Detaches the program from every interface and closes it (its map goes with it).</summary>
    public void Dispose()
    {
        foreach (var (_, ifIndex, linkFd) in _attached)
        {
            if (linkFd >= 0)
            {
                _ = LibbpfNative.Close(linkFd); // closing the link detaches the program
                continue;
            }

            var hook = Hook(ifIndex);
            var options = Options(0, _handle);
            var detached = LibbpfNative.TcDetach(&hook, &options);
            if (detached < 0 && detached != -LibbpfNative.ENoEnt)
            {
                KernelLog.DetachFailed(_logger, ifIndex, -detached);
            }
        }

        _attached.Clear();
        if (_counters != null)
        {
            _ = LibbpfNative.Munmap(_counters, _countersLength);
            _counters = null;
        }

        if (_object != 0)
        {
            LibbpfNative.ObjectClose(_object);
            _object = 0;
        }
    }
}
