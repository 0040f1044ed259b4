using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MediaRelay.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Counts RTP packets on the loopback interface (or, bound to 0.0.0.0, every IPv4 UDP datagram this network
/// namespace receives) by UDP (source port, destination port), without tcpdump: a raw IPv4 socket for protocol UDP
/// receives a copy of every UDP datagram the host receives, IP header included; what the host sends is not seen.
/// Needs CAP_NET_RAW (root in CI). Only packets that look like RTP version 2 are counted.
/// Threading: one receive loop writes, readers take snapshots.
/// </summary>
internal sealed class RtpCapture : IDisposable
{
    private readonly Socket _socket;
    private readonly ConcurrentDictionary<(int Source, int Destination), long> _flows = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private RtpCapture(Socket socket)
    {
        _socket = socket;
        _loop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Starts counting; a socket of the calling thread's network namespace, on <paramref name="bind"/> (default 127.0.0.1).</summary>
    public static RtpCapture Start(IPAddress? bind = null)
    {
        Socket socket;
        try
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Udp);
        }
        catch (SocketException exception)
        {
            throw new InvalidOperationException(
                "The end-to-end tests count the RTP packets sipp receives with a raw socket, which needs CAP_NET_RAW "
                + $"(run as root, or grant the capability to dotnet): {exception.Message}",
                exception);
        }

        socket.ReceiveBufferSize = 8 * 1024 * 1024;
        socket.Bind(new IPEndPoint(bind ?? IPAddress.Loopback, 0));
        return new RtpCapture(socket);
    }

    /// <summary>RTP packets counted so far whose ports satisfy both predicates.</summary>
    public long Count(Func<int, bool> source, Func<int, bool> destination) =>
        _flows.Where(f => source(f.Key.Source) && destination(f.Key.Destination)).Sum(f => f.Value);

    public string Describe() =>
        string.Join('\n', _flows.OrderBy(f => f.Key.Source).ThenBy(f => f.Key.Destination)
            .Select(f => $"  {f.Key.Source} -> {f.Key.Destination}: {f.Value} RTP packets"));

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // The loop ends with the socket; its exception says nothing new.
        }

        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Record(buffer.AsSpan(0, length));
        }
    }

    private void Record(ReadOnlySpan<byte> datagram)
    {
        // IPv4 header (RFC 791), its length in 32-bit words in the low nibble of byte 0; then the 8-byte UDP header.
        if (datagram.Length < 20)
        {
            return;
        }

        var ipHeaderLength = (datagram[0] & 0x0F) * 4;
        if (datagram.Length < ipHeaderLength + 8 + 12)
        {
            return;
        }

        var udp = datagram[ipHeaderLength..];
        var payload = udp[8..];
        // RTP version 2 (RFC 3550 section 5.1); payload types 72-76 would be RTCP (RFC 5761 section 4).
        var payloadType = payload[1] & 0x7F;
        if ((payload[0] & 0xC0) != 0x80 || payloadType is >= 72 and <= 76)
        {
            return;
        }

        var key = (BinaryPrimitives.ReadUInt16BigEndian(udp), BinaryPrimitives.ReadUInt16BigEndian(udp[2..]));
        _flows.AddOrUpdate(key, 1, (_, count) => count + 1);
    }
}
