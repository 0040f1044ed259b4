using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Core.Forwarding;
using MediaRelay.Core.Net;
using MediaRelay.Core.Ports;
using Microsoft.Extensions.Logging;

namespace MediaRelay.Core.Model;

/// <summary>
/// The session manager's source of new streams: a port pair for each party from the pool of the interface that
/// faces it, within the descriptor budget, and the stream built on them with the relay's clock, options, kernel
/// queue and destination policy. Called under the control lock only.
/// </summary>
internal sealed class StreamFactory(RelayOptions options, InterfacePools pools, TimeProvider time, KernelQueue kernel, ILogger logger)
    : IStreamFactory
{
    private readonly MediaDestinationPolicy _destinations = new(options);

    /// <inheritdoc />
    public IPAddress RelayAddress => pools.DefaultAddress;

    /// <inheritdoc />
    public bool TryPlace(MediaStream? existing, PartyRole offerer, IPAddress offererAddress, MediaPlacement placement,
        out PortPool offererPool, out PortPool answererPool) =>
        pools.TryPlace(existing, offerer, offererAddress, placement, out offererPool, out answererPool);

    /// <inheritdoc />
    public bool TryCreate(string callId, int index, string mediaType, PortPool callerPool, PortPool calleePool, out MediaStream stream)
    {
        stream = null!;
        // The descriptor budget (RLIMIT_NOFILE less a reserve): refuse before the kernel does.
        var withinBudget = options.MaxMediaSockets <= 0 || (pools.PairsInUse + 2) * 2 <= options.MaxMediaSockets;
        if (!withinBudget || !callerPool.TryAllocate(out var callerRtp, out var callerRtcp))
        {
            CoreLog.OutOfPorts(logger, callId, options.PortMin, options.PortMax, callerPool.Address.ToString(), pools.PairsInUse * 2);
            return false;
        }

        if (!calleePool.TryAllocate(out var calleeRtp, out var calleeRtcp))
        {
            callerPool.Release(callerRtp, callerRtcp);
            CoreLog.OutOfPorts(logger, callId, options.PortMin, options.PortMax, calleePool.Address.ToString(), pools.PairsInUse * 2);
            return false;
        }

        var caller = new MediaParty(PartyRole.Caller, callerPool, callerRtp, callerRtcp);
        var callee = new MediaParty(PartyRole.Callee, calleePool, calleeRtp, calleeRtcp);
        stream = new MediaStream(index, mediaType, caller, callee, time, options, kernel, _destinations);
        return true;
    }
}
