using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Core.Model;
using MediaRelay.Core.Statistics;
using MediaRelay.Transport.Udp;

namespace MediaRelay.Transport.Tests;

public enum TransportKind
{
    Sockets,
    Epoll,
    IoUring,
}

/// <summary>A session manager over the real UDP transport on 127.0.0.1, each test on its own port range.</summary>
internal sealed class LoopbackRelay : IDisposable
{
    /// <summary>A transport of the given kind, from the relay's one factory; the loop-based ones get <paramref name="loops"/> loops.</summary>
    public static IPacketTransport Create(TransportKind kind, UdpTransportOptions options, int loops) => PacketPaths.Create(new PacketPathOptions
    {
        Kind = kind switch
        {
            TransportKind.Epoll => PacketPathKind.Epoll,
            TransportKind.IoUring => PacketPathKind.IoUring,
            _ => PacketPathKind.Sockets,
        },
        Loops = loops,
        Sockets = options,
    }).Transport;

    // Relay ranges lie above Linux's ephemeral range (32768-60999), where the phones' port-0 sockets land: media is
    // never sent to the relay's own port range (issue 15), so a phone inside it would be refused. 100 ports each, in
    // 44 slots that are reused in turn (a port still bound by an earlier relay is skipped by the pool).
    private const int RangeBase = 61000;
    private const int RangeSize = 100;
    private const int RangeSlots = 44;
    private static int s_nextSlot = Environment.ProcessId % RangeSlots;

    public LoopbackRelay(TransportKind kind, Action<RelayOptions>? configure = null)
    {
        Transport = Create(kind, new UdpTransportOptions { ReceiveBufferSize = 1 << 20 }, loops: 2);
        var first = RangeBase + (RangeSize * ((Interlocked.Increment(ref s_nextSlot) & int.MaxValue) % RangeSlots));
        Options = new RelayOptions
        {
            RelayAddress = IPAddress.Loopback,
            PortMin = first,
            PortMax = first + RangeSize - 1,
            SweepInterval = TimeSpan.FromMilliseconds(50),
        };
        configure?.Invoke(Options);
        Manager = new SessionManager(Options, Transport);
        Manager.SessionEnded += s =>
        {
            lock (Ended)
            {
                Ended.Add(s);
            }
        };
    }

    public RelayOptions Options { get; }

    public IPacketTransport Transport { get; }

    public SessionManager Manager { get; }

    public List<SessionStatistics> Ended { get; } = [];

    /// <summary>Sets up a call whose SDP names ports the phones do not send from; returns (facing caller, facing callee).</summary>
    public (RelayedMedia FacingCaller, RelayedMedia FacingCallee) Call(string callId, string media = "audio",
        MediaDirection calleeDirection = MediaDirection.SendRecv, IPAddress? phones = null)
    {
        var offer = new MediaDescription(media, phones ?? IPAddress.Loopback, 9, MediaDirection.SendRecv);
        var answer = new MediaDescription(media, phones ?? IPAddress.Loopback, 11, calleeDirection);
        Assert.Equal(SessionError.None, Manager.Offer(callId, "caller-tag", null, [offer], null, out var toCallee));
        Assert.Equal(SessionError.None, Manager.Answer(callId, "caller-tag", "callee-tag", [answer], null, out var toCaller));
        return (toCaller[0], toCallee[0]);
    }

    /// <summary>
    /// Bytes waiting in the receive queue of the relay's UDP socket on 127.0.0.1:<paramref name="port"/> (rx_queue in
    /// /proc/net/udp); 0 once the relay has read everything sent to that port.
    /// </summary>
    public static long QueuedAt(int port)
    {
        var local = $"0100007F:{port:X4}";
        foreach (var line in File.ReadLines("/proc/net/udp").Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 4 && fields[1] == local)
            {
                return long.Parse(fields[4].AsSpan(fields[4].IndexOf(':') + 1), System.Globalization.NumberStyles.HexNumber);
            }
        }

        return 0;
    }

    public void Dispose()
    {
        Manager.Dispose();
        (Transport as IDisposable)?.Dispose();
    }
}
