using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MediaRelay.Control.Tests.Ng;

/// <summary>A proxy's side of the ng socket, for tests: sends datagrams and waits for replies.</summary>
internal sealed class NgUdpClient : IDisposable
{
    private readonly Socket _socket;
    private readonly IPEndPoint _server;

    public NgUdpClient(IPEndPoint server)
    {
        _server = server;
        _socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(server.Address, 0));
    }

    public void Send(string datagram) => Send(Encoding.UTF8.GetBytes(datagram));

    public void Send(byte[] datagram) => _socket.SendTo(datagram, _server);

    /// <summary>The next datagram, or null when none arrives in time.</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        var buffer = new byte[65535];
        try
        {
            var count = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return buffer.AsSpan(0, count).ToArray();
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async Task<string> RequestAsync(string datagram)
    {
        Send(datagram);
        var reply = await ReceiveAsync();
        Assert.NotNull(reply);
        return Encoding.UTF8.GetString(reply);
    }

    public void Dispose() => _socket.Dispose();
}
