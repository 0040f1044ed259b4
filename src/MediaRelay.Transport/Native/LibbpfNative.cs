using System.Runtime.InteropServices;

namespace MediaRelay.Transport.Native;

/// <summary>
/// The libbpf 1.x calls the kernel forwarding backend uses (Debian package libbpf1). libbpf rather than raw bpf(2):
/// it relocates the compiled object (maps referenced by the program, BTF), creates the maps and loads the program
/// in one call, and attaches to TC through netlink (clsact qdisc and filter), which would otherwise be a netlink
/// client of our own. Every call runs on the kernel worker or at start and stop, never per packet. In libbpf 1.x
/// functions return a negative errno on failure; pointer-returning ones return NULL and set errno.
/// </summary>
internal static unsafe partial class LibbpfNative
{
    private const string Library = "libbpf.so.1";

    /// <summary>BPF_TC_INGRESS of enum bpf_tc_attach_point.</summary>
    public const int TcIngress = 1;

    /// <summary>BPF_TCX_INGRESS of enum bpf_attach_type (Linux 6.6+): a TC ingress attachment owned by a bpf_link.</summary>
    public const int TcxIngress = 46;

    public const int EInval = 22;
    public const int EOpNotSupp = 95;

    /// <summary>BPF_ANY: create or update a map element.</summary>
    public const ulong Any = 0;

    public const int ENoEnt = 2;
    public const int EPerm = 1;
    public const int EExist = 17;

    /// <summary>struct bpf_tc_hook { size_t sz; int ifindex; enum attach_point; __u32 parent; } (24 bytes on 64-bit).</summary>
    [StructLayout(LayoutKind.Sequential, Size = 24)]
    public struct TcHook
    {
        public nuint Size;
        public int IfIndex;
        public int AttachPoint;
        public uint Parent;
    }

    /// <summary>struct bpf_tc_opts { size_t sz; int prog_fd; __u32 flags, prog_id, handle, priority; } (32 bytes).</summary>
    [StructLayout(LayoutKind.Sequential, Size = 32)]
    public struct TcOpts
    {
        public nuint Size;
        public int ProgramFd;
        public uint Flags;
        public uint ProgramId;
        public uint Handle;
        public uint Priority;
    }

    [LibraryImport(Library, EntryPoint = "bpf_object__open_mem", SetLastError = true)]
    public static partial nint ObjectOpenMem(byte* buffer, nuint size, nint options);

    [LibraryImport(Library, EntryPoint = "bpf_object__load")]
    public static partial int ObjectLoad(nint obj);

    [LibraryImport(Library, EntryPoint = "bpf_object__close")]
    public static partial void ObjectClose(nint obj);

    [LibraryImport(Library, EntryPoint = "bpf_object__find_program_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint FindProgram(nint obj, string name);

    [LibraryImport(Library, EntryPoint = "bpf_object__find_map_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint FindMap(nint obj, string name);

    [LibraryImport(Library, EntryPoint = "bpf_program__fd")]
    public static partial int ProgramFd(nint program);

    /// <summary>Between open and load: how many entries the map may hold (a hash map has that many buckets, rounded up to a power of two).</summary>
    [LibraryImport(Library, EntryPoint = "bpf_map__set_max_entries")]
    public static partial int MapSetMaxEntries(nint map, uint maxEntries);

    [LibraryImport(Library, EntryPoint = "bpf_map__max_entries")]
    public static partial uint MapMaxEntries(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_map__fd")]
    public static partial int MapFd(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_tc_hook_create")]
    public static partial int TcHookCreate(TcHook* hook);

    [LibraryImport(Library, EntryPoint = "bpf_tc_attach")]
    public static partial int TcAttach(TcHook* hook, TcOpts* options);

    [LibraryImport(Library, EntryPoint = "bpf_tc_detach")]
    public static partial int TcDetach(TcHook* hook, TcOpts* options);

    /// <summary>
    /// bpf(BPF_LINK_CREATE): for <see cref="TcxIngress"/>, <paramref name="target"/> is the interface index. Returns the
    /// link's descriptor; the program stays attached exactly as long as that descriptor is open (a crash detaches it).
    /// </summary>
    [LibraryImport(Library, EntryPoint = "bpf_link_create")]
    public static partial int LinkCreate(int programFd, int target, int attachType, nint options);

    public const int ProtRead = 1;
    public const int ProtWrite = 2;
    public const int MapShared = 1;

    /// <summary>mmap(2) of a BPF_F_MMAPABLE array map's values (its descriptor, offset 0). MAP_FAILED is (void*)-1.</summary>
    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    public static partial int Munmap(void* address, nuint length);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "bpf_map_update_elem")]
    public static partial int MapUpdate(int fd, void* key, void* value, ulong flags);

    [LibraryImport(Library, EntryPoint = "bpf_map_delete_elem")]
    public static partial int MapDelete(int fd, void* key);

    /// <summary>Sets libbpf's print callback (NULL silences it) and returns the previous one.</summary>
    [LibraryImport(Library, EntryPoint = "libbpf_set_print")]
    public static partial nint SetPrint(nint callback);

    [LibraryImport("libc", EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint IfNameToIndex(string name);

    /// <summary>True when libbpf.so.1 can be loaded.</summary>
    public static bool TryLoadLibrary(out string? reason)
    {
        if (!OperatingSystem.IsLinux())
        {
            reason = "kernel forwarding needs Linux";
            return false;
        }

        if (NativeLibrary.TryLoad(Library, out _))
        {
            reason = null;
            return true;
        }

        reason = "libbpf.so.1 is not installed (Debian: apt-get install libbpf1)";
        return false;
    }
}
