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
        // The descriptor budget (RLIMIT_NOFILE less a reserve): refuse before the kernel does. Sockets kept for reuse
        // count against it too, and are the first given up.
        var max = options.MaxMediaSockets;
        if (max > 0 && (pools.PairsInUse + pools.ParkedPairs + 2) * 2 > max)
        {
            pools.CloseParked();
        }

        var withinBudget = max <= 0 || (pools.PairsInUse + 2) * 2 <= max;
        if (!withinBudget || !TryAllocate(callerPool, out var callerRtp, out var callerRtcp))
        {
            CoreLog.OutOfPorts(logger, callId, options.PortMin, options.PortMax, callerPool.Address.ToString(), pools.PairsInUse * 2);
            return false;
        }

        if (!TryAllocate(calleePool, out var calleeRtp, out var calleeRtcp))
        {
            callerPool.Release(callerRtp, callerRtcp, park: false); // out of ports or descriptors: hold nothing spare
            CoreLog.OutOfPorts(logger, callId, options.PortMin, options.PortMax, calleePool.Address.ToString(), pools.PairsInUse * 2);
            return false;
        }

        var caller = new MediaParty(PartyRole.Caller, callerPool, callerRtp, callerRtcp);
        var callee = new MediaParty(PartyRole.Callee, calleePool, calleeRtp, calleeRtcp);
        stream = new MediaStream(index, mediaType, caller, callee, time, options, kernel, _destinations);
        return true;
    }

    /// <summary>A pair from the pool; when the process is out of descriptors, the parked pairs' are given up first.</summary>
    private bool TryAllocate(PortPool pool, out RelayListener rtp, out RelayListener rtcp)
    {
        if (pool.TryAllocate(out rtp, out rtcp, out var error))
        {
            return true;
        }

        return error == BindError.NoDescriptors && pools.CloseParked() > 0 && pool.TryAllocate(out rtp, out rtcp, out _);
    }
}
