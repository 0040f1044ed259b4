using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using MediaRelay.Accounting;
using MediaRelay.Core.Api;
using MediaRelay.Transport;
using MediaRelay.Transport.Udp;

namespace MediaRelay.Host.Configuration;

/// <summary>Turns settings into the model's options, with errors that say what is wrong and what to do.</summary>
public static class SettingsValidator
{
    /// <summary>The largest --max-streams accepted: each stream takes four ports and four sockets.</summary>
    public const int MaxStreamsLimit = 1000;

    public static bool TryBuild(MediaRelaySettings settings, out RelayOptions options, out ControlListeners control, out List<string> errors)
    {
        errors = [];
        options = new RelayOptions();

        (options.LocalAddresses, options.LocalBroadcasts) = LocalAddresses.Read();
        var relayAddress = ResolveRelayAddress(settings.RelayAddress, errors);
        if (relayAddress is not null)
        {
            options.RelayAddress = relayAddress;
            CheckOnThisMachine("relay-address", relayAddress, options.LocalAddresses, errors);
        }

        if (!string.IsNullOrWhiteSpace(settings.RelayAddressV6))
        {
            if (IPAddress.TryParse(settings.RelayAddressV6, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
            {
                options.RelayAddressV6 = v6;
                CheckOnThisMachine("relay-address-v6", v6, options.LocalAddresses, errors);
            }
            else
            {
                errors.Add($"relay-address-v6 '{settings.RelayAddressV6}' is not an IPv6 address: give one such as 2001:db8::10, or leave it empty");
            }
        }

        if (settings.PortMin is < 1024 or > 65534 || settings.PortMax is < 1025 or > 65535 || settings.PortMax - settings.PortMin < 3)
        {
            errors.Add($"port range {settings.PortMin}-{settings.PortMax} is not usable: give port-min and port-max within 1024-65535 with room for at least two port pairs");
        }
        else
        {
            options.PortMin = settings.PortMin;
            options.PortMax = settings.PortMax;
        }

        if (settings.PortReuse is < 0 or > 3600 || double.IsNaN(settings.PortReuse))
        {
            errors.Add($"port-reuse {settings.PortReuse} is not usable: give the seconds (0-3600) a freed port pair stays bound for reuse, 0 to close it at once");
        }
        else
        {
            options.PortReuse = TimeSpan.FromSeconds(settings.PortReuse);
        }

        if (settings.StreamTimeout <= 0 || settings.OnHoldTimeout <= 0)
        {
            errors.Add("stream-timeout and on-hold-timeout must be positive numbers of seconds");
        }
        else
        {
            options.StreamTimeout = TimeSpan.FromSeconds(settings.StreamTimeout);
            options.OnHoldTimeout = TimeSpan.FromSeconds(settings.OnHoldTimeout);
            options.SweepInterval = TimeSpan.FromSeconds(Math.Clamp(settings.StreamTimeout / 10, 0.05, 1));
        }

        if (settings.MaxSessions < 0)
        {
            errors.Add($"max-sessions {settings.MaxSessions} is negative: give 0 for no limit");
        }

        options.MaxSessions = Math.Max(0, settings.MaxSessions);

        if (settings.MaxStreams is < 1 or > MaxStreamsLimit)
        {
            errors.Add($"max-streams {settings.MaxStreams} is out of range: give 1-{MaxStreamsLimit} m-lines per offer (default 32)");
        }
        else
        {
            options.MaxStreams = settings.MaxStreams;
        }

        if (settings.NgReplyCacheBytes < MediaRelaySettings.MinNgReplyCacheBytes)
        {
            errors.Add($"ng-reply-cache-bytes {settings.NgReplyCacheBytes} is too small: give at least {MediaRelaySettings.MinNgReplyCacheBytes} (1 MiB); the default is {MediaRelaySettings.DefaultNgReplyCacheBytes} (64 MiB)");
        }

        options.StrictSource = settings.StrictSource;

        if (settings.DrainTimeout < 0)
        {
            errors.Add($"drain-timeout {settings.DrainTimeout} is negative: give seconds, or 0 to wait for the last call however long");
        }

        if (settings.DeleteDelay < 0)
        {
            errors.Add($"delete-delay {settings.DeleteDelay} is negative: give seconds, 0 to remove at once");
        }

        if (settings.RealtimePriority is < 0 or > 99)
        {
            errors.Add($"realtime-priority {settings.RealtimePriority} is out of range: give 1-99 for SCHED_FIFO, or 0 for the normal scheduler");
        }

        if (ParseTransport(settings.Transport) is not { } transport)
        {
            errors.Add($"transport '{settings.Transport}' is not known: give epoll, io_uring or sockets");
        }
        else if (PacketPaths.Unavailable(transport) is { } reason)
        {
            errors.Add($"transport {reason}");
        }

        if (!Hosting.LogFormat.IsKnown(settings.LogFormat))
        {
            errors.Add($"log-format '{settings.LogFormat}' is not known: give auto, simple or systemd");
        }

        if (settings.KernelForwarding.ToUpperInvariant() is not ("AUTO" or "ON" or "OFF"))
        {
            errors.Add($"kernel-forwarding '{settings.KernelForwarding}' is not known: give auto, on or off");
        }

        if (settings.AccountingWorker.ToUpperInvariant() is not ("ON" or "OFF"))
        {
            errors.Add($"accounting-worker '{settings.AccountingWorker}' is not known: give on (the database is written by a separate process at low priority) or off (by the relay's own process)");
        }

        if (settings.WarmUp.ToUpperInvariant() is not ("ON" or "OFF"))
        {
            errors.Add($"warm-up '{settings.WarmUp}' is not known: give on (private calls through the control path before the relay listens) or off");
        }

        if (!AccountingTarget.TryParse(settings.Accounting, out _, out var accountingError))
        {
            errors.Add(accountingError!);
        }

        control = ControlListeners.Parse(settings, errors);
        var named = InterfaceSettings.Parse(settings.Interfaces, options.LocalAddresses, errors);
        if (named.Count > 0)
        {
            var explicitDefault = !string.Equals(settings.RelayAddress, "auto", StringComparison.OrdinalIgnoreCase)
                && !string.IsNullOrWhiteSpace(settings.RelayAddress);
            if (explicitDefault)
            {
                named.Add(new RelayInterface(RelayInterface.DefaultName, options.RelayAddress));
            }

            if (explicitDefault && options.RelayAddressV6 is { } defaultV6)
            {
                named.Add(new RelayInterface(RelayInterface.DefaultName, defaultV6));
            }

            options.Interfaces = named;
            // The shorthand addresses follow the default interface (logs, the kernel path, MediaProxy's reply).
            options.RelayAddress = named.Find(i => i.Family == AddressFamily.InterNetwork)?.Bind ?? named[0].Bind;
            options.RelayAddressV6 = named.Find(i => i.Family == AddressFamily.InterNetworkV6)?.Bind;
        }

        options.DenyMediaTo = ParseNetworks(settings.DenyMediaTo, errors);
        options.ControlEndPoints = [.. control.ProtectedEndPoints];
        return errors.Count == 0;
    }

    /// <summary>
    /// Media ports can only be bound on this machine's own addresses: another one would start, then fail every offer
    /// with "Ran out of ports". A public address of a 1:1 NAT belongs after '!' in --interface.
    /// </summary>
    private static void CheckOnThisMachine(string option, IPAddress address, IReadOnlyList<IPAddress> local, List<string> errors)
    {
        if (IPAddress.IsLoopback(address) || local.Count == 0 || local.Contains(address))
        {
            return;
        }

        errors.Add($"{option} {address} is not an address of this machine (it has {string.Join(", ", local)}): give one of them; " +
            $"if {address} is the public address of a 1:1 NAT, bind on the private one and advertise it: --interface public/PRIVATE!{address}");
    }

    /// <summary>Comma-separated CIDRs; a bare address is one host (/32, /128).</summary>
    private static List<IPNetwork> ParseNetworks(string text, List<string> errors)
    {
        var networks = new List<IPNetwork>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(part, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(part, out var address))
            {
                networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                errors.Add($"deny-media-to '{part}' is not a CIDR range: give ranges such as 10.0.0.0/8 or 2001:db8::/32, comma-separated (the address part must have no bits beyond the prefix)");
            }
        }

        return networks;
    }

    /// <summary>The accounting options of valid settings (<see cref="TryBuild"/> accepted them).</summary>
    public static AccountingOptions Accounting(MediaRelaySettings settings)
    {
        return new AccountingOptions
        {
            Target = AccountingTarget.TryParse(settings.Accounting, out var target, out _) ? target : AccountingTarget.Default,
            SpoolPath = string.IsNullOrWhiteSpace(settings.AccountingSpool) ? null : settings.AccountingSpool,
            Worker = !settings.AccountingWorker.Equals("off", StringComparison.OrdinalIgnoreCase),
        };
    }

    /// <summary>The packet path options for the factory in Transport (<see cref="PacketPaths.Create"/>).</summary>
    public static PacketPathOptions PacketPath(MediaRelaySettings settings, RelayOptions options, int instance) => new()
    {
        Kind = ParseTransport(settings.Transport) ?? PacketPathKind.Auto,
        Loops = settings.Loops,
        Sockets = new UdpTransportOptions { ReceiveBufferSize = settings.SocketReceiveBuffer, RealtimePriority = settings.RealtimePriority },
        KernelForwarding = settings.KernelForwarding.ToUpperInvariant() switch
        {
            "ON" => KernelForwardingMode.On,
            "OFF" => KernelForwardingMode.Off,
            _ => KernelForwardingMode.Auto,
        },
        RelayAddress = options.RelayAddress,
        RelayAddressV6 = options.RelayAddressV6,
        RelayAddresses = [.. options.EffectiveInterfaces.Select(i => i.Bind)],
        Instance = instance,
        // One direction per media port and family, and room for the start-up probe.
        MaxKernelFlows = ((options.PortMax - options.PortMin + 1) * (options.RelayAddressV6 is null ? 1 : 2)) + 16,
    };

    private static PacketPathKind? ParseTransport(string text) => text.ToUpperInvariant() switch
    {
        "AUTO" => PacketPathKind.Auto,
        "SOCKETS" => PacketPathKind.Sockets,
        "EPOLL" => PacketPathKind.Epoll,
        "IO_URING" or "IOURING" => PacketPathKind.IoUring,
        _ => null,
    };

    private static IPAddress? ResolveRelayAddress(string text, List<string> errors)
    {
        if (string.Equals(text, "auto", StringComparison.OrdinalIgnoreCase) || string.IsNullOrWhiteSpace(text))
        {
            return DefaultRouteAddress() ?? IPAddress.Loopback;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            {
                errors.Add($"relay-address {text} cannot be advertised in SDP: give the address phones can reach, or auto");
                return null;
            }

            return address;
        }

        errors.Add(string.Create(CultureInfo.InvariantCulture, $"relay-address '{text}' is not an IP address: give one such as 192.0.2.10, or auto"));
        return null;
    }

    /// <summary>The first IPv4 address of an up interface that has a default gateway.</summary>
    private static IPAddress? DefaultRouteAddress()
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            {
                continue;
            }

            var properties = nic.GetIPProperties();
            if (properties.GatewayAddresses.Count == 0)
            {
                continue;
            }

            foreach (var unicast in properties.UnicastAddresses)
            {
                if (unicast.Address.AddressFamily == AddressFamily.InterNetwork)
                {
                    return unicast.Address;
                }
            }
        }

        return null;
    }
}
