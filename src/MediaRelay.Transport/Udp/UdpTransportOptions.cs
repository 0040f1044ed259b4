namespace MediaRelay.Transport.Udp;

/// <summary>Socket settings of the relay's media ports. Every property states its default.</summary>
public sealed class UdpTransportOptions
{
    /// <summary>SO_RCVBUF per media socket in bytes; 0 keeps the kernel default. Default 0.</summary>
    public int ReceiveBufferSize { get; set; }

    /// <summary>SO_SNDBUF per media socket in bytes; 0 keeps the kernel default. Default 0.</summary>
    public int SendBufferSize { get; set; }

    /// <summary>Largest datagram relayed; longer ones are truncated by the kernel and dropped. Default 2048.</summary>
    public int MaxDatagramSize { get; set; } = 2048;

    /// <summary>IP DSCP value for media sent by the relay (46 = EF, RFC 4594); -1 leaves it unset. Default -1.</summary>
    public int Dscp { get; set; } = -1;

    /// <summary>
    /// SCHED_FIFO priority (1-99) of the packet loops of the epoll and io_uring transports, so a packet is relayed as
    /// soon as it arrives even when other work keeps the cores busy; 0 leaves them under the normal scheduler.
    /// Lower latency, more wake-ups (more CPU per packet under load). Default 0.
    /// </summary>
    public int RealtimePriority { get; set; }
}
