using System.Net;
using MediaRelay.Core.Api;

namespace MediaRelay.Core.Ports;

/// <summary>
/// One bound relay port (seed rule 2): the <see cref="Model.MediaParty"/> opens it, and the
/// <see cref="Model.MediaSubParty"/> that faces this port becomes its receive callback.
/// Threading: <see cref="OnPacket"/> runs on the socket's receive thread; <see cref="Target"/> is set by the
/// control thread and read with a volatile read.
/// </summary>
internal sealed class RelayListener : IPacketReceiver, IDisposable
{
    private IPacketReceiver? _target;
    private long _unattached;
    private long _unattachedBefore;

    public RelayListener(int port) => Port = port;

    public int Port { get; }

    public IRelaySocket? Socket { get; set; }

    public IPEndPoint LocalEndPoint => Socket?.LocalEndPoint ?? new IPEndPoint(IPAddress.None, Port);

    /// <summary>Packets that arrived, since the port was last taken by a call, while no sub-party was attached (dropped).</summary>
    public long Unattached => Volatile.Read(ref _unattached) - _unattachedBefore;

    public IPacketReceiver? Target
    {
        get => Volatile.Read(ref _target);
        set => Volatile.Write(ref _target, value);
    }

    public void OnPacket(ReadOnlySpan<byte> packet, SocketAddress source)
    {
        var target = Volatile.Read(ref _target);
        if (target is null)
        {
            _unattached++;
            return;
        }

        target.OnPacket(packet, source);
    }

    /// <summary>The port's call has ended but its socket stays bound for reuse: what arrives now is dropped.</summary>
    public void Park() => Target = null;

    /// <summary>A parked port taken by a new call: what arrived while it was parked is not that call's.</summary>
    public void Reuse() => _unattachedBefore = Volatile.Read(ref _unattached);

    public void Dispose()
    {
        Target = null;
        Socket?.Dispose();
    }
}
