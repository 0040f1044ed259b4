using System.Net;

namespace MediaRelay.Core.Model;

/// <summary>Where a session gets new streams from: the session manager's port pools and limits.</summary>
internal interface IStreamFactory
{
    /// <summary>The address written for a rejected stream that never had ports.</summary>
    IPAddress RelayAddress { get; }

    /// <summary>
    /// A new stream for m-line <paramref name="index"/>, its ports from the pool of <paramref name="address"/>'s
    /// family; false (and a warning logged) when ports or descriptors ran out.
    /// </summary>
    bool TryCreate(string callId, int index, string mediaType, IPAddress address, out MediaStream stream);

    /// <summary>The address family of the ports <paramref name="address"/>'s media would get.</summary>
    System.Net.Sockets.AddressFamily FamilyFor(IPAddress address);
}
