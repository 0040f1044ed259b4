using System.Runtime.InteropServices;

namespace MediaRelay.Transport.Native;

/// <summary>
/// The process's open-file limit, RLIMIT_NOFILE (getrlimit(2), setrlimit(2)). struct rlimit is two 64-bit rlim_t
/// on x86-64 and arm64, the architectures of <see cref="LinuxNative.IsSupported"/>. Errors come back as errno.
/// </summary>
internal static unsafe partial class ResourceLimits
{
    private const int RlimitNoFile = 7;

    /// <summary>Reads the soft and hard limit. Returns 0, or the errno.</summary>
    public static int TryGetDescriptorLimit(out ulong soft, out ulong hard)
    {
        var limit = default(RLimit);
        var failed = GetRLimit(RlimitNoFile, &limit) != 0;
        soft = limit.Current;
        hard = limit.Maximum;
        return failed ? Marshal.GetLastPInvokeError() : 0;
    }

    /// <summary>Sets the soft limit, keeping the hard one. Returns 0, or the errno (EPERM, EINVAL above fs.nr_open).</summary>
    public static int TrySetDescriptorLimit(ulong soft, ulong hard)
    {
        var limit = new RLimit { Current = soft, Maximum = hard };
        return SetRLimit(RlimitNoFile, &limit) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, RLimit* limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, RLimit* limit);
}
