using System.Net.Sockets;
using System.Text;

namespace MediaRelay.EndToEnd.Tests.Packaging;

/// <summary>
/// What systemd does for a Type=notify unit: a UNIX datagram socket the service sends its states to, named to it by
/// NOTIFY_SOCKET (a path, or '@' and an abstract name). Keeps every datagram received.
/// </summary>
internal sealed class NotifyListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly List<string> _received = [];

    private NotifyListener(string address, string bindName)
    {
        Address = address;
        _socket.Bind(new UnixDomainSocketEndPoint(bindName));
    }

    /// <summary>The value for NOTIFY_SOCKET.</summary>
    public string Address { get; }

    public IReadOnlyList<string> Received => _received;

    public static NotifyListener AtPath(string path) => new(path, path);

    public static NotifyListener Abstract(string name) => new("@" + name, "\0" + name);

    /// <summary>Reads datagrams until one has the line <paramref name="line"/> (e.g. READY=1); returns that datagram.</summary>
    public async Task<string> WaitForAsync(string line, TimeSpan timeout, Func<string>? context = null)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        while (true)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"no '{line}' on NOTIFY_SOCKET {Address} within {timeout.TotalSeconds} s; received: [{string.Join(" | ", _received)}]\n{context?.Invoke()}");
                throw;
            }

            var datagram = Encoding.UTF8.GetString(buffer, 0, length);
            _received.Add(datagram);
            if (datagram.Split('\n').Contains(line))
            {
                return datagram;
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
