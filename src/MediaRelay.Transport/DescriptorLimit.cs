using MediaRelay.Transport.Native;

namespace MediaRelay.Transport;

/// <summary>
/// The process's open-file limit (RLIMIT_NOFILE), which caps the media sockets: every RTP or RTCP port is one
/// descriptor, next to the runtime's own. Linux only.
/// </summary>
/// <param name="Limit">The soft limit in force: the most descriptors the process may have open.</param>
/// <param name="Hard">The hard limit, the most the soft limit may be raised to without privilege.</param>
/// <param name="Before">The soft limit the process started with.</param>
/// <param name="RaiseError">0, or the errno of a refused raise (the limit stays at <paramref name="Before"/>).</param>
public sealed record DescriptorLimit(long Limit, long Hard, long Before, int RaiseError)
{
    /// <summary>
    /// Raises the soft limit to the hard limit, as a server that opens one descriptor per port should (systemd's
    /// LimitNOFILE and `ulimit -n` set both). Null where the limit cannot be read (not Linux on x86-64 or arm64).
    /// </summary>
    public static DescriptorLimit? RaiseToHard()
    {
        if (!LinuxNative.IsSupported || ResourceLimits.TryGetDescriptorLimit(out var soft, out var hard) != 0)
        {
            return null;
        }

        var before = Clamp(soft);
        if (soft >= hard)
        {
            return new DescriptorLimit(before, Clamp(hard), before, 0);
        }

        var error = ResourceLimits.TrySetDescriptorLimit(hard, hard);
        return error == 0
            ? new DescriptorLimit(Clamp(hard), Clamp(hard), before, 0)
            : new DescriptorLimit(before, Clamp(hard), before, error);
    }

    /// <summary>Descriptors the process has open now (the entries of /proc/self/fd); -1 where it cannot tell.</summary>
    public static int CountOpen()
    {
        try
        {
            // The listing's own directory descriptor is counted too: one more than before, which errs on the safe side.
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    // RLIM_INFINITY is ulong.MaxValue; no kernel lets RLIMIT_NOFILE past fs.nr_open (at most 2^30 or so).
    private static long Clamp(ulong value) => value > long.MaxValue ? long.MaxValue : (long)value;
}
