using System.Net;

namespace MediaRelay.Core.Api;

/// <summary>
/// What the relay offers in place of one m-line: the address and ports that face the party who will receive
/// this SDP. The control protocol writes these into the SDP it returns.
/// </summary>
/// <param name="Index">The m-line's position in the SDP, from 0.</param>
/// <param name="Address">The relay address.</param>
/// <param name="RtpPort">The relay's RTP port facing the receiver of the SDP; 0 when the stream is rejected.</param>
/// <param name="RtcpPort">The relay's RTCP port facing the receiver (RtpPort + 1).</param>
public sealed record RelayedMedia(int Index, IPAddress Address, int RtpPort, int RtcpPort)
{
    public bool Rejected => RtpPort == 0;
}
