namespace MediaRelay.Transport;

/// <summary>The packet paths the relay can use (<c>--transport</c>).</summary>
public enum PacketPathKind
{
    /// <summary>The fastest this machine allows: io_uring, else epoll, else sockets.</summary>
    Auto,

    /// <summary>.NET async sockets: any platform.</summary>
    Sockets,

    /// <summary>One epoll loop per core with recvmmsg/sendmmsg batches: Linux x86-64/arm64.</summary>
    Epoll,

    /// <summary>One io_uring per core, multishot receives into provided buffers: Linux 6.1 and later.</summary>
    IoUring,
}

/// <summary>Kernel forwarding of confirmed directions (<c>--kernel-forwarding</c>).</summary>
public enum KernelForwardingMode
{
    /// <summary>Where the kernel allows it; else user space, saying why.</summary>
    Auto,

    /// <summary>Required: the relay does not start without it.</summary>
    On,

    Off,
}
