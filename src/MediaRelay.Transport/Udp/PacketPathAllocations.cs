namespace MediaRelay.Transport.Udp;

/// <summary>
/// Counts the bytes the receive loops allocate between a datagram's arrival and the next receive being issued:
/// the whole packet path, relaying included. Off unless the AppContext switch
/// <c>MediaRelay.Transport.TrackPacketPathAllocations</c> is set (tests and benchmarks set it); when off, the
/// JIT removes the probe.
/// </summary>
public static class PacketPathAllocations
{
    public const string SwitchName = "MediaRelay.Transport.TrackPacketPathAllocations";

    internal static readonly bool Enabled = AppContext.TryGetSwitch(SwitchName, out var on) && on;

    private static long s_bytes;
    private static long s_packets;

    /// <summary>Bytes allocated on the packet path since start, over every socket.</summary>
    public static long Bytes => Interlocked.Read(ref s_bytes);

    /// <summary>Packets measured.</summary>
    public static long Packets => Interlocked.Read(ref s_packets);

    internal static void Add(long bytes)
    {
        Interlocked.Increment(ref s_packets);
        if (bytes != 0)
        {
            Interlocked.Add(ref s_bytes, bytes);
        }
    }
}
