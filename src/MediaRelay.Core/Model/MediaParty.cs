using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Core.Ports;

namespace MediaRelay.Core.Model;

/// <summary>
/// One side of a stream, caller or callee: owns the relay's RTP port (even) and RTCP port (RTP + 1) that face
/// that side, and the last media description that side signalled. Seed rule 1: its listeners open on creation.
/// Threading: control thread only.
/// </summary>
internal sealed class MediaParty : IDisposable
{
    private readonly PortPool _pool;
    private bool _released;

    public MediaParty(PartyRole role, PortPool pool, RelayListener rtp, RelayListener rtcp)
    {
        Role = role;
        _pool = pool;
        RtpListener = rtp;
        RtcpListener = rtcp;
    }

    public PartyRole Role { get; }

    public RelayListener RtpListener { get; }

    public RelayListener RtcpListener { get; }

    /// <summary>The address written into SDP for this party's ports: the interface's advertised address.</summary>
    public IPAddress Address => _pool.Interface.Advertise;

    /// <summary>The pool (interface and family) the ports came from.</summary>
    public PortPool Pool => _pool;

    /// <summary>The quality of what this party sends, and what its RTCP reports (fed by its receive paths).</summary>
    public Quality.PartyQuality Quality { get; } = new();

    /// <summary>What this party last said in SDP; null until it has signalled.</summary>
    public MediaDescription? Description { get; set; }

    /// <summary>Returns the ports to the pool, once.</summary>
    public void Dispose()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        _pool.Release(RtpListener, RtcpListener);
    }
}
