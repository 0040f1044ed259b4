using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MediaRelay.LoadGen.Soak;

/// <summary>
/// One phone of one soak call slot. It owns two UDP sockets, as a phone that can move to a new address does: it
/// sends from the current one and receives on both (after a move the relay may still send to the old address
/// until it hears from the new one). Each packet carries the sending side's id and a send stamp, so the receiver
/// knows it is its peer's and how long it took.
/// Threading: <see cref="SendNext"/> runs on the one sender thread, <see cref="Account"/> on the one receiver
/// thread; the churn task changes <see cref="Sending"/>, the socket in use and the destination, all published
/// through volatile fields.
/// </summary>
internal sealed class SoakSide : IDisposable
{
    public const int PacketLength = 172;
    private const int StampOffset = 12;
    private const int SideIdOffset = 20;
    private readonly byte[] _packet = new byte[PacketLength];
    private readonly Socket[] _sockets = new Socket[2];
    private volatile SocketAddress? _destination;
    private volatile int _current;
    private volatile bool _sending;
    private ushort _sequence;
    private uint _timestamp;
    private long _sent;
    private long _sendErrors;
    private long _received;
    private long _foreign;

    public SoakSide(int id, IPAddress bindAddress, int receiveBufferBytes)
    {
        Id = id;
        try
        {
            for (var i = 0; i < _sockets.Length; i++)
            {
                var socket = new Socket(bindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                _sockets[i] = socket;
                socket.ReceiveBufferSize = receiveBufferBytes;
                socket.Bind(new IPEndPoint(bindAddress, 0));
                socket.Blocking = false;
            }
        }
        catch
        {
            Dispose();
            throw;
        }

        _packet.AsSpan().Fill(0xEE);
        _packet[0] = 0x80;
        _packet[1] = 0x00;
        BinaryPrimitives.WriteUInt32BigEndian(_packet.AsSpan(8), 0x534B0000u ^ (uint)id);
        BinaryPrimitives.WriteInt32BigEndian(_packet.AsSpan(SideIdOffset), id);
    }

    public int Id { get; }

    /// <summary>The other side of the call: the only sender whose packets count as received here.</summary>
    public int PeerId { get; set; }

    public bool Sending
    {
        get => _sending;
        set => _sending = value;
    }

    /// <summary>0 or 1: the socket the phone sends from (and announces in its SDP).</summary>
    public int Current => _current;

    public int Port(int socket) => ((IPEndPoint)_sockets[socket].LocalEndPoint!).Port;

    public int Fd(int socket) => (int)_sockets[socket].Handle;

    public long Sent => Volatile.Read(ref _sent);

    public long SendErrors => Volatile.Read(ref _sendErrors);

    public long Received => Volatile.Read(ref _received);

    public long Foreign => Volatile.Read(ref _foreign);

    /// <summary>Where to send: the relay's port that faces this side (set after each answer).</summary>
    public void SendTo(IPEndPoint relayPort) => _destination = relayPort.Serialize();

    /// <summary>Moves the phone to its other socket: packets go out from there from now on.</summary>
    public void SwitchSocket() => _current = 1 - _current;

    /// <summary>One RTP packet from the current socket, when the side is sending. Allocation-free.</summary>
    public void SendNext()
    {
        var destination = _destination;
        if (!_sending || destination is null)
        {
            return;
        }

        var packet = _packet.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], _sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], _timestamp);
        BinaryPrimitives.WriteInt64LittleEndian(packet[StampOffset..], Stopwatch.GetTimestamp());
        try
        {
            _sockets[_current].SendTo(packet, SocketFlags.None, destination);
            Volatile.Write(ref _sent, _sent + 1);
        }
        catch (SocketException)
        {
            Volatile.Write(ref _sendErrors, _sendErrors + 1);
        }

        _sequence++;
        _timestamp += 160;
    }

    /// <summary>Accounts one datagram received on either socket: the latency in stopwatch ticks, or -1 if not the peer's.</summary>
    public long Account(ReadOnlySpan<byte> datagram, long receivedAt)
    {
        if (datagram.Length != PacketLength || (datagram[0] & 0xC0) != 0x80
            || BinaryPrimitives.ReadInt32BigEndian(datagram[SideIdOffset..]) != PeerId)
        {
            Volatile.Write(ref _foreign, _foreign + 1);
            return -1;
        }

        Volatile.Write(ref _received, _received + 1);
        return receivedAt - BinaryPrimitives.ReadInt64LittleEndian(datagram[StampOffset..]);
    }

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket?.Dispose();
        }
    }
}
