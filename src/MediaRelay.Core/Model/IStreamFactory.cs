using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Core.Ports;

namespace MediaRelay.Core.Model;

/// <summary>Where a session gets new streams from: the session manager's port pools (one per interface address) and limits.</summary>
internal interface IStreamFactory
{
    /// <summary>The address written for a rejected stream that never had ports.</summary>
    IPAddress RelayAddress { get; }

    /// <summary>
    /// The pools an offer's stream needs: facing the offerer (in the family of <paramref name="offererAddress"/>)
    /// and facing the answerer, as <paramref name="placement"/> asks, else as <paramref name="existing"/> has them,
    /// else the defaults. False when the placement names an interface the relay does not have.
    /// </summary>
    bool TryPlace(MediaStream? existing, PartyRole offerer, IPAddress offererAddress, MediaPlacement placement,
        out PortPool offererPool, out PortPool answererPool);

    /// <summary>
    /// A new stream for m-line <paramref name="index"/>, the caller's ports from <paramref name="callerPool"/> and
    /// the callee's from <paramref name="calleePool"/>; false (and a warning logged) when ports or descriptors ran out.
    /// </summary>
    bool TryCreate(string callId, int index, string mediaType, PortPool callerPool, PortPool calleePool, out MediaStream stream);
}
