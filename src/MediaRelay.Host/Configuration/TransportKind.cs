namespace MediaRelay.Host.Configuration;

/// <summary>The packet paths <c>mediarelay run</c> can use (<c>--transport</c>).</summary>
public enum TransportKind
{
    /// <summary>.NET async sockets: any platform.</summary>
    Sockets,

    /// <summary>One epoll loop per core with recvmmsg/sendmmsg batches: Linux x86-64/arm64.</summary>
    Epoll,

    /// <summary>One io_uring per core, multishot receives into provided buffers: Linux 6.1 and later.</summary>
    IoUring,
}
