using System.Net;

namespace MediaRelay.Core.Api;

/// <summary>Settings of the session model. Every property states its default.</summary>
public sealed class RelayOptions
{
    /// <summary>The address the relay binds and advertises in SDP. Default 127.0.0.1 (the host resolves "auto").</summary>
    public IPAddress RelayAddress { get; set; } = IPAddress.Loopback;

    /// <summary>An IPv6 address for IPv6 media (c=IN IP6), or null when the relay has none. Default null.</summary>
    public IPAddress? RelayAddressV6 { get; set; }

    /// <summary>Lowest port of the range; rounded up to even. Default 40000.</summary>
    public int PortMin { get; set; } = 40000;

    /// <summary>Highest port of the range. Default 59999.</summary>
    public int PortMax { get; set; } = 59999;

    /// <summary>
    /// How long a freed port pair keeps its sockets bound, so that a new call taking it skips creating and closing
    /// them (what arrives on it meanwhile is counted and dropped); zero closes them at once. It does not change the
    /// order in which ports are reused (least recently freed first). Default 2 s.
    /// </summary>
    public TimeSpan PortReuse { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Silence in both directions after which a stream ends as "no-traffic timeout". Default 90 s.</summary>
    public TimeSpan StreamTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Silence after which a stream on hold ends as "on hold timeout". Default 7200 s.</summary>
    public TimeSpan OnHoldTimeout { get; set; } = TimeSpan.FromSeconds(7200);

    /// <summary>How long STUN is kept while its destination is unknown. Default 2 s.</summary>
    public TimeSpan StunQueueTime { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// After signalling, the window during which a source matching the SDP or SIP source address takes over from
    /// one that does not (anti-hijack, "RTP bleed"). Default 2 s.
    /// </summary>
    public TimeSpan LatchWindow { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// After new SDP from a party, how long a packet from a new source may replace the obsolete learned address
    /// (grace re-learn). Later, the obsolete address, if still sending, becomes firm again. Default 10 s.
    /// </summary>
    public TimeSpan RelearnWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Accept media only from the address and port in the party's SDP. Default false.</summary>
    public bool StrictSource { get; set; }

    /// <summary>Maximum concurrent sessions; 0 means no limit. Default 0.</summary>
    public int MaxSessions { get; set; }

    /// <summary>
    /// Most m-lines one offer or answer may carry; more is refused and takes no port. Default 32, like the proxies'
    /// mediaproxy module (one offer could otherwise take thousands of sockets).
    /// </summary>
    public int MaxStreams { get; set; } = 32;

    /// <summary>
    /// Most media sockets open at once, 0 for no limit. The host sets it from RLIMIT_NOFILE less a reserve, so
    /// running out of descriptors is "Ran out of ports" and never starves the control sockets or shutdown. Default 0.
    /// </summary>
    public int MaxMediaSockets { get; set; }

    /// <summary>
    /// During the grace re-learn, how long the obsolete source must have been silent before a new source that
    /// matches neither the new SDP address nor the signalling source may take over (a phone whose media moved
    /// through another NAT than its SIP). A stranger can therefore never take over while the phone still talks; a
    /// phone that moved with its signalling continues at once. Default 1 s (50 packets at 20 ms).
    /// </summary>
    public TimeSpan RelearnSilence { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Ranges media is never sent to, nor learned from (--deny-media-to), e.g. the networks of the relay's own
    /// Redis or Kamailio hosts. Default none.
    /// </summary>
    public IReadOnlyList<IPNetwork> DenyMediaTo { get; set; } = [];

    /// <summary>
    /// The relay's own control and management listeners; with the media range on the relay addresses, the sockets
    /// media never goes to. A wildcard listener (0.0.0.0, ::) counts on every address of this host and on loopback.
    /// The host fills them. Default none.
    /// </summary>
    public IReadOnlyList<IPEndPoint> ControlEndPoints { get; set; } = [];

    /// <summary>
    /// This host's addresses besides the relay addresses (the host reads them from its interfaces), where a wildcard
    /// control listener can be reached. Default none.
    /// </summary>
    public IReadOnlyList<IPAddress> LocalAddresses { get; set; } = [];

    /// <summary>Directed broadcast addresses of this host's IPv4 subnets (the host reads them). Default none.</summary>
    public IReadOnlyList<IPAddress> LocalBroadcasts { get; set; } = [];

    /// <summary>
    /// Named interfaces (--interface NAME/BIND[!ADVERTISED]); the first is the default. Empty means one interface
    /// named "default" on <see cref="RelayAddress"/> (and <see cref="RelayAddressV6"/>). Default empty.
    /// </summary>
    public IReadOnlyList<RelayInterface> Interfaces { get; set; } = [];

    /// <summary>The interfaces in use: <see cref="Interfaces"/>, or "default" on the relay addresses.</summary>
    public IReadOnlyList<RelayInterface> EffectiveInterfaces
    {
        get
        {
            if (Interfaces.Count > 0)
            {
                return Interfaces;
            }

            List<RelayInterface> interfaces = [new RelayInterface(RelayInterface.DefaultName, RelayAddress)];
            if (RelayAddressV6 is { } v6)
            {
                interfaces.Add(new RelayInterface(RelayInterface.DefaultName, v6));
            }

            return interfaces;
        }
    }

    /// <summary>How often the timeout sweep runs. Default 1 s.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);
}
