using System.Net;
using System.Net.Sockets;
using System.Text;
using MediaRelay.Core.Statistics;
using MediaRelay.Protocols.MediaProxy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Control.MediaProxy;

/// <summary>
/// Ends a call in the proxy when its media timed out, as MediaProxy's dispatcher does, so both phones get a BYE:
/// one JSON-RPC datagram, Kamailio's <c>dlg.end_dlg</c> to the jsonrpcs module's datagram socket or OpenSIPS's
/// <c>dlg_end_dlg</c> to mi_datagram. The proxy's reply is awaited (3 s) only to log it. Threading: any thread;
/// each end runs on its own task.
/// </summary>
public sealed class DialogEnder(DialogEndTarget target, ILogger? logger = null)
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(3);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private long _requestId;

    /// <summary>Ends sent.</summary>
    public long Sent => Interlocked.Read(ref _requestId);

    /// <summary>Sends the end of <paramref name="dialog"/>; returns the proxy's reply, or null when none came.</summary>
    public async Task<string?> EndAsync(MediaProxyDialogId dialog, SessionStatistics call)
    {
        var id = Interlocked.Increment(ref _requestId);
        var datagram = target.Kind == DialogEndKind.Kamailio
            ? MediaProxyEndDialog.FormatKamailio(dialog.HashEntry, dialog.HashId, id)
            : MediaProxyEndDialog.FormatOpenSips(dialog.Combined, id);
        MediaProxyLog.EndingDialog(_logger, call.CallId, call.EndReason.ToString(), target.ToString(), dialog.ToString());
        string? local = null;
        try
        {
            Socket socket;
            EndPoint remote;
            if (target.Path is { } path)
            {
                // A bound client socket, so the proxy's reply has somewhere to go.
                socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
                local = Path.Combine(Path.GetTempPath(), $"mediarelay-dlg-{Environment.ProcessId}-{id}.sock");
                socket.Bind(new UnixDomainSocketEndPoint(local));
                remote = new UnixDomainSocketEndPoint(path);
            }
            else
            {
                socket = new Socket(target.EndPoint!.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                remote = target.EndPoint;
            }

            using (socket)
            {
                await socket.SendToAsync(datagram, SocketFlags.None, remote).ConfigureAwait(false);
                var buffer = new byte[4096];
                using var timeout = new CancellationTokenSource(ReplyTimeout);
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                var reply = Encoding.UTF8.GetString(buffer, 0, received).Trim();
                MediaProxyLog.EndDialogAnswered(_logger, call.CallId, dialog.ToString(), target.ToString(), reply);
                return reply;
            }
        }
        catch (OperationCanceledException)
        {
            MediaProxyLog.EndDialogFailed(_logger, call.CallId, dialog.ToString(), target.ToString(), "no reply within 3 s");
        }
        catch (SocketException e)
        {
            MediaProxyLog.EndDialogFailed(_logger, call.CallId, dialog.ToString(), target.ToString(), e.SocketErrorCode.ToString());
        }
        finally
        {
            if (local is not null)
            {
                File.Delete(local);
            }
        }

        return null;
    }
}
