using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MediaRelay.LoadGen.Media;

/// <summary>Which side of a call a leg plays; a leg's packets travel Caller→Callee or Callee→Caller.</summary>
internal enum LegRole
{
    Caller = 0,
    Callee = 1,
}

/// <summary>
/// One side of one call: a UDP socket bound on the generator's address, connected to where its RTP must go
/// (the relay's port that faces this side, or the peer leg in loopback mode). Owns a reusable 172-byte RTP packet.
/// Threading: Send* fields are written only by the one sender thread that owns the leg; Receive* fields only by the
/// one receiver thread that owns it; both are read by the coordinator after those threads have stopped or as
/// monotonic snapshots (Volatile reads).
/// </summary>
internal sealed class MediaLeg : IDisposable
{
    public const int HeaderLength = 12;
    public const int PayloadLength = 160;
    public const int PacketLength = HeaderLength + PayloadLength;
    private const int StampOffset = HeaderLength;
    private const int LegIdOffset = HeaderLength + 8;

    /// <summary>The send time again, as CLOCK_REALTIME nanoseconds, to compare with the kernel's receive stamp.</summary>
    private const int RealtimeStampOffset = HeaderLength + 12;
    private const int MinimumLength = RealtimeStampOffset + 8;

    private readonly byte[] _packet = new byte[PacketLength];
    private readonly uint _ssrc;
    private ushort _sequence;
    private uint _timestamp;
    private long _sent;
    private long _sendErrors;
    private long _received;
    private long _reordered;
    private long _duplicates;
    private long _foreign;
    private long _highestSequence = -1;
    private double _jitterTicks;
    private long _lastTransit;
    private bool _haveTransit;

    public MediaLeg(int id, int callIndex, LegRole role, IPAddress bindAddress, int receiveBufferBytes)
    {
        Id = id;
        CallIndex = callIndex;
        Role = role;
        Socket = new Socket(bindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (receiveBufferBytes > 0)
        {
            Socket.ReceiveBufferSize = receiveBufferBytes;
        }

        Socket.Bind(new IPEndPoint(bindAddress, 0));
        LocalEndPoint = (IPEndPoint)Socket.LocalEndPoint!;
        Fd = (int)Socket.Handle;
        KernelStamped = KernelTimestamps.Enable(Socket);
        _ssrc = (uint)(0x4C470000u ^ ((uint)id * 2654435761u));
        _sequence = (ushort)(id * 7919);
        _timestamp = (uint)id * 160u * 1000u;
        _packet.AsSpan().Fill(0xFF);
        _packet[0] = 0x80;
        _packet[1] = 0x80; // marker on the first packet (RFC 3551 section 4.1), payload type 0 (PCMU)
        BinaryPrimitives.WriteUInt32BigEndian(_packet.AsSpan(8), _ssrc);
        BinaryPrimitives.WriteInt32BigEndian(_packet.AsSpan(LegIdOffset), id);
    }

    public int Id { get; }

    public int CallIndex { get; }

    public LegRole Role { get; }

    public Socket Socket { get; }

    /// <summary>The socket's file descriptor, for epoll and recvmsg.</summary>
    public int Fd { get; }

    /// <summary>Whether SO_TIMESTAMPNS is on for this leg's socket.</summary>
    public bool KernelStamped { get; }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The leg whose packets this leg receives (the other side of the call).</summary>
    public int PeerId { get; set; } = -1;

    public long Sent => Volatile.Read(ref _sent);

    public long SendErrors => Volatile.Read(ref _sendErrors);

    /// <summary>The last error a send returned (Success if none), for the report's notes.</summary>
    public SocketError LastSendError { get; private set; } = SocketError.Success;

    public long Received => Volatile.Read(ref _received);

    public long Reordered => _reordered;

    public long Duplicates => _duplicates;

    public long Foreign => _foreign;

    public double JitterMicroseconds => _jitterTicks * 1_000_000.0 / Stopwatch.Frequency;

    /// <summary>Where this leg sends: the relay's port that faces it, or the peer leg.</summary>
    public IPEndPoint? RemoteEndPoint { get; private set; }

    public void ConnectTo(IPEndPoint destination)
    {
        RemoteEndPoint = destination;
        Socket.Connect(destination);
        Socket.Blocking = false;
    }

    /// <summary>Stamps and sends the next packet. Allocation-free.</summary>
    public void SendNext()
    {
        var packet = _packet.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], _sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], _timestamp);

        // Both stamps just before the send system call; the stopwatch one last, so the user-space figure is as before.
        BinaryPrimitives.WriteInt64LittleEndian(packet[RealtimeStampOffset..], RealtimeClock.NowNanoseconds());
        BinaryPrimitives.WriteInt64LittleEndian(packet[StampOffset..], Stopwatch.GetTimestamp());
        Socket.Send(packet, SocketFlags.None, out var error);
        if (error == SocketError.Success)
        {
            Volatile.Write(ref _sent, _sent + 1);
        }
        else
        {
            Volatile.Write(ref _sendErrors, _sendErrors + 1);
            LastSendError = error;
        }

        packet[1] = 0x00;
        _sequence++;
        _timestamp += PayloadLength;
    }

    /// <summary>
    /// Accounts one received datagram. Returns the one-way latency in stopwatch ticks, or -1 if not ours; for ours,
    /// <paramref name="sentRealtimeNanoseconds"/> is the sender's CLOCK_REALTIME stamp.
    /// </summary>
    public long Account(ReadOnlySpan<byte> datagram, long receivedAt, out long sentRealtimeNanoseconds)
    {
        sentRealtimeNanoseconds = 0;
        if (datagram.Length < MinimumLength || (datagram[0] & 0xC0) != 0x80
            || BinaryPrimitives.ReadInt32BigEndian(datagram[LegIdOffset..]) != PeerId)
        {
            _foreign++;
            return -1;
        }

        Volatile.Write(ref _received, _received + 1);
        var sequence = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if (_highestSequence < 0)
        {
            _highestSequence = sequence;
        }
        else
        {
            // Extended sequence numbers (RFC 3550 appendix A.1): the signed 16-bit distance from the highest seen.
            var delta = (short)(sequence - (ushort)_highestSequence);
            if (delta > 0)
            {
                _highestSequence += delta;
            }
            else if (delta < 0)
            {
                _reordered++;
            }
            else
            {
                _duplicates++;
            }
        }

        var sentAt = BinaryPrimitives.ReadInt64LittleEndian(datagram[StampOffset..]);
        sentRealtimeNanoseconds = BinaryPrimitives.ReadInt64LittleEndian(datagram[RealtimeStampOffset..]);
        var transit = receivedAt - sentAt;

        // Interarrival jitter (RFC 3550 section 6.4.1) computed on the send stamp, in stopwatch ticks.
        if (_haveTransit)
        {
            var difference = Math.Abs(transit - _lastTransit);
            _jitterTicks += (difference - _jitterTicks) / 16.0;
        }

        _lastTransit = transit;
        _haveTransit = true;
        return transit;
    }

    public void Dispose() => Socket.Dispose();
}
