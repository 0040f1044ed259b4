using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Core.Forwarding;
using MediaRelay.Transport.Epoll;
using MediaRelay.Transport.IoUring;
using MediaRelay.Transport.Kernel;
using MediaRelay.Transport.Udp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Transport;

/// <summary>What <see cref="PacketPaths.Create"/> needs. Every property states its default.</summary>
public sealed class PacketPathOptions
{
    /// <summary>The user-space path. Default auto.</summary>
    public PacketPathKind Kind { get; set; } = PacketPathKind.Auto;

    /// <summary>Packet loops (epoll) or rings (io_uring); 0 is one per core. Default 0.</summary>
    public int Loops { get; set; }

    /// <summary>Socket options of every media socket. Default: the defaults of <see cref="UdpTransportOptions"/>.</summary>
    public UdpTransportOptions Sockets { get; set; } = new();

    /// <summary>Kernel forwarding. Default off here (the host's setting defaults to auto).</summary>
    public KernelForwardingMode KernelForwarding { get; set; } = KernelForwardingMode.Off;

    /// <summary>The relay's media addresses: loopback media puts the kernel program on lo only. Default 127.0.0.1.</summary>
    public IPAddress RelayAddress { get; set; } = IPAddress.Loopback;

    public IPAddress? RelayAddressV6 { get; set; }

    /// <summary>Every address media ports are bound on (all interfaces); empty means <see cref="RelayAddress"/> and <see cref="RelayAddressV6"/>.</summary>
    public IReadOnlyList<IPAddress> RelayAddresses { get; set; } = [];

    /// <summary>The instance number that keeps relays on one host apart in the kernel (its first ng port). Default 0.</summary>
    public int Instance { get; set; }

    /// <summary>
    /// Most directions the kernel may hold at once: one per media port and address family is enough (a direction is
    /// keyed by the relay port it arrives on, and a new source replaces the old one). 0 keeps the program's own
    /// limit (131072). The counter read walks every bucket of the map, so a map sized to the port range reads faster.
    /// </summary>
    public int MaxKernelFlows { get; set; }
}

/// <summary>The packet path chosen: the user-space transport, the kernel backend if any, and what to log about them.</summary>
public sealed class PacketPath
{
    internal PacketPath(IPacketTransport transport, IKernelBackend? kernel, string? ioUringPassedOver, string? kernelUnavailable)
    {
        Transport = transport;
        Kernel = kernel;
        IoUringPassedOver = ioUringPassedOver;
        KernelUnavailable = kernelUnavailable;
    }

    public IPacketTransport Transport { get; }

    /// <summary>The eBPF backend, or null when every packet goes through user space.</summary>
    public IKernelBackend? Kernel { get; }

    /// <summary>Why auto did not take io_uring (the kernel refused it), or null.</summary>
    public string? IoUringPassedOver { get; }

    /// <summary>Why auto kernel forwarding stays in user space, or null.</summary>
    public string? KernelUnavailable { get; }

    /// <summary>The user-space path in one phrase: "io_uring, 2 ring(s)".</summary>
    public string Description => Transport switch
    {
        EpollTransport epoll => $"epoll, {epoll.LoopCount} loop(s)",
        IoUringTransport uring => $"io_uring, {uring.LoopCount} ring(s)",
        _ => "sockets",
    };
}

/// <summary>Thrown when a path that was asked for explicitly (not auto) cannot run; the message says why and what to do.</summary>
public sealed class PacketPathException(string message) : Exception(message);

/// <summary>
/// The one place that picks the packet path (user-space transport and kernel backend) from the options, with auto's
/// fallbacks: io_uring where the kernel allows it, else epoll, else sockets; the eBPF kernel path where the kernel
/// allows it, else none. Explicit choices that cannot run throw <see cref="PacketPathException"/>.
/// </summary>
public static class PacketPaths
{
    /// <summary>Why an explicitly chosen transport cannot run here, or null when it can (for configuration checks).</summary>
    public static string? Unavailable(PacketPathKind kind) => kind switch
    {
        PacketPathKind.Epoll when !EpollTransport.IsSupported => "epoll needs Linux on x86-64 or arm64: give --transport sockets",
        PacketPathKind.IoUring when IoUringTransport.Unavailable() is { } reason => $"io_uring cannot run here ({reason}): give --transport epoll",
        _ => null,
    };

    public static PacketPath Create(PacketPathOptions options, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggers ??= NullLoggerFactory.Instance;
        string? passedOver = null;
        IPacketTransport transport;
        var kind = options.Kind == PacketPathKind.Auto
            ? EpollTransport.IsSupported ? PacketPathKind.IoUring : PacketPathKind.Sockets
            : options.Kind;
        switch (kind)
        {
            case PacketPathKind.IoUring:
                try
                {
                    transport = new IoUringTransport(options.Sockets, options.Loops, loggers.CreateLogger<IoUringTransport>());
                }
                catch (PlatformNotSupportedException e) when (options.Kind == PacketPathKind.Auto)
                {
                    // The kernel refused io_uring (seccomp, kernel.io_uring_disabled, too old): the next fastest.
                    passedOver = e.Message;
                    transport = new EpollTransport(options.Sockets, options.Loops, loggers.CreateLogger<EpollTransport>());
                }

                break;
            case PacketPathKind.Epoll:
                transport = new EpollTransport(options.Sockets, options.Loops, loggers.CreateLogger<EpollTransport>());
                break;
            default:
                transport = new UdpTransport(options.Sockets, loggers.CreateLogger<UdpTransport>());
                break;
        }

        IKernelBackend? kernel = null;
        string? kernelUnavailable = null;
        if (options.KernelForwarding != KernelForwardingMode.Off)
        {
            var addresses = options.RelayAddresses.Count > 0 ? options.RelayAddresses
                : options.RelayAddressV6 is { } v6 ? [options.RelayAddress, v6] : [options.RelayAddress];
            var interfaces = BpfKernelBackend.InterfacesFor(addresses);
            kernel = BpfKernelBackend.TryCreate(interfaces, options.Instance, loggers.CreateLogger<BpfKernelBackend>(), out kernelUnavailable,
                options.MaxKernelFlows);
            if (kernel is null && options.KernelForwarding == KernelForwardingMode.On)
            {
                (transport as IDisposable)?.Dispose();
                throw new PacketPathException($"kernel forwarding is on but cannot run: {kernelUnavailable}. Give --kernel-forwarding auto to run in user space instead");
            }
        }

        return new PacketPath(transport, kernel, passedOver, kernelUnavailable);
    }
}
