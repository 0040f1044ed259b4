using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;
using MediaRelay.Core.Model;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Core.Ports;

/// <summary>
/// One port pool per interface address (every interface takes the whole range), and where an offer's streams get
/// their ports: the interface and family facing each party. Threading: under the session manager's control lock.
/// </summary>
internal sealed class InterfacePools
{
    private readonly List<PortPool> _pools = [];
    private readonly List<string> _names = [];

    /// <param name="options">The interfaces, the port range and the reuse time.</param>
    /// <param name="transport">Binds the sockets.</param>
    /// <param name="time">The relay's clock.</param>
    /// <param name="logger">Where each pool's range is logged.</param>
    /// <param name="parked">Called when a freed pair is kept bound (the sweep must run to close it in time).</param>
    public InterfacePools(RelayOptions options, IPacketTransport transport, TimeProvider time, ILogger logger, Action? parked = null)
    {
        var interfaces = options.EffectiveInterfaces;
        foreach (var relayInterface in interfaces)
        {
            // Interfaces that bind the same address (an internal and an external name on one NIC) take the same ports
            // there: a pair one of them kept bound would refuse the other's bind, so such pools close freed pairs.
            var shared = 0;
            foreach (var other in interfaces)
            {
                shared += other.Bind.Equals(relayInterface.Bind) ? 1 : 0;
            }

            var reuse = shared > 1 ? TimeSpan.Zero : options.PortReuse;
            var pool = new PortPool(relayInterface, options.PortMin, options.PortMax, transport, time, reuse, parked);
            _pools.Add(pool);
            if (!_names.Contains(relayInterface.Name))
            {
                _names.Add(relayInterface.Name);
            }

            CoreLog.PoolReady(logger, relayInterface.Name, relayInterface.Bind.ToString(), relayInterface.Advertise.ToString(),
                options.PortMin, options.PortMax, pool.TotalPairs, reuse.TotalSeconds);
        }
    }

    /// <summary>The interface names, the default first.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The default interface's advertised address (written for a stream that never had ports).</summary>
    public IPAddress DefaultAddress => _pools[0].Interface.Advertise;

    public int PairsInUse => Sum(static pool => pool.PairsInUse);

    /// <summary>Freed pairs still bound for reuse, over every pool.</summary>
    public int ParkedPairs => Sum(static pool => pool.ParkedPairs);

    /// <summary>Closes the sockets of pairs parked longer than the reuse time, in every pool (the sweep).</summary>
    public void CloseExpired()
    {
        foreach (var pool in _pools)
        {
            pool.CloseExpired();
        }
    }

    /// <summary>Closes every parked pair's sockets, in every pool; returns how many pairs it closed.</summary>
    public int CloseParked()
    {
        var closed = 0;
        foreach (var pool in _pools)
        {
            closed += pool.CloseParked();
        }

        return closed;
    }

    public int TotalPairs => Sum(static pool => pool.TotalPairs);

    /// <summary>A figure added up over every pool.</summary>
    private int Sum(Func<PortPool, int> figure)
    {
        var sum = 0;
        foreach (var pool in _pools)
        {
            sum += figure(pool);
        }

        return sum;
    }

    /// <summary>The interface that holds <paramref name="address"/> as its bind or advertised address; null when none does.</summary>
    public string? InterfaceOf(IPAddress address)
    {
        foreach (var pool in _pools)
        {
            if (pool.Interface.Bind.Equals(address) || pool.Interface.Advertise.Equals(address))
            {
                return pool.Interface.Name;
            }
        }

        return null;
    }

    /// <summary>
    /// The pools an offer's stream needs: facing the offerer (in the family of <paramref name="offererAddress"/>)
    /// and facing the answerer, as <paramref name="placement"/> asks, else as <paramref name="existing"/> has them,
    /// else the defaults. False when the placement names an interface the relay does not have.
    /// </summary>
    public bool TryPlace(MediaStream? existing, PartyRole offerer, IPAddress offererAddress, MediaPlacement placement,
        out PortPool offererPool, out PortPool answererPool)
    {
        offererPool = answererPool = null!;
        var answerer = offerer == PartyRole.Caller ? PartyRole.Callee : PartyRole.Caller;
        var kept = existing is { Ended: false } ? existing : null;
        var offererFamily = SdpFamily(offererAddress);
        var offererName = placement.OffererInterface ?? kept?.Party(offerer).Pool.Interface.Name ?? _names[0];
        var offererChosen = Pool(offererName, offererFamily);
        if (offererChosen is null)
        {
            return false;
        }

        var answererName = placement.AnswererInterface ?? kept?.Party(answerer).Pool.Interface.Name ?? offererName;
        var answererFamily = placement.AnswererFamily ?? kept?.Party(answerer).Pool.Address.AddressFamily ?? offererChosen.Address.AddressFamily;
        var answererChosen = Pool(answererName, answererFamily);
        if (answererChosen is null)
        {
            return false;
        }

        if (placement.AnswererFamily is { } wanted && answererChosen.Address.AddressFamily != wanted && placement.AnswererInterface is null)
        {
            // IPv4/IPv6 bridging: the interface has no address of the family asked for; the first one that has it.
            answererChosen = _pools.Find(p => p.Address.AddressFamily == wanted) ?? answererChosen;
        }

        offererPool = offererChosen;
        answererPool = answererChosen;
        return true;
    }

    /// <summary>The pool of an interface in a family; the interface's other family when it has only that; null for an unknown name.</summary>
    private PortPool? Pool(string name, AddressFamily family)
    {
        PortPool? other = null;
        foreach (var pool in _pools)
        {
            if (pool.Interface.Name == name)
            {
                if (pool.Address.AddressFamily == family)
                {
                    return pool;
                }

                other ??= pool;
            }
        }

        return other;
    }

    /// <summary>The family of an SDP address; a hold address (0.0.0.0, ::) says its family too.</summary>
    private static AddressFamily SdpFamily(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? AddressFamily.InterNetwork : address.AddressFamily;
}
