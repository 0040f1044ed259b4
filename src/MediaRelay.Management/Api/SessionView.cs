namespace MediaRelay.Management.Api;

/// <summary>
/// One call as the management API shows it. <c>state</c> is "active" while it runs, else its end reason. Counters are
/// the sums over its streams (RTP and RTCP, both parties, both paths).
/// </summary>
public sealed record SessionView(
    string CallId,
    string? FromTag,
    string? ToTag,
    DateTimeOffset Created,
    DateTimeOffset? LastSignal,
    DateTimeOffset? Ended,
    double Duration,
    string State,
    double TimeoutWait,
    long Packets,
    long Bytes,
    long Errors,
    long KernelPackets,
    IReadOnlyList<StreamView> Streams);

/// <summary>
/// One stream (m-line): type and codec; <c>state</c> ("active", "on hold", or its end reason); <c>latched</c> once
/// both parties' RTP sources are learned; <c>path</c> "kernel" while the kernel forwards any of its directions
/// (<c>kernel_directions</c> of 4), else "userspace".
/// </summary>
public sealed record StreamView(
    int Index,
    string Type,
    string? Codec,
    string Protocol,
    string State,
    bool Latched,
    bool OnHold,
    string Path,
    int KernelDirections,
    DateTimeOffset? FirstMedia,
    PartyView Caller,
    PartyView Callee);

/// <summary>
/// One party of a stream: its tag, its SDP direction, the relay interface facing it and the address SDP gave it,
/// and its RTP and RTCP flows. The flows' counters are what arrived from this party: one direction of the stream.
/// </summary>
public sealed record PartyView(
    string? Tag,
    string Direction,
    string Interface,
    string? Advertised,
    FlowView Rtp,
    FlowView Rtcp);

/// <summary>
/// One side of one flow: <c>relay</c> is the relay's port facing the party, <c>learned</c> the source latched from
/// its packets (null until then), <c>sdp</c> the address its SDP gave. <c>packets</c> and <c>bytes</c> count both paths,
/// <c>kernel_packets</c> and <c>kernel_bytes</c> the kernel's part; <c>errors</c> are packets dropped.
/// </summary>
public sealed record FlowView(
    string Relay,
    string? Learned,
    string? Sdp,
    long Packets,
    long Bytes,
    long Errors,
    long StunPackets,
    long KernelPackets,
    long KernelBytes);
