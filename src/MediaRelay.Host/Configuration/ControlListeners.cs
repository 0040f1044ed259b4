using System.Net;
using MediaRelay.Control.MediaProxy;

namespace MediaRelay.Host.Configuration;

/// <summary>Where each control protocol listens, validated from the settings.</summary>
public sealed class ControlListeners
{
    /// <summary>ng over UDP; never empty.</summary>
    public List<IPEndPoint> Ng { get; } = [];

    /// <summary>MediaProxy's protocol on a UNIX stream socket; null when off.</summary>
    public string? MediaProxySocket { get; set; }

    /// <summary>Where a timed-out call is ended in the proxy; null when off.</summary>
    public DialogEndTarget? DialogEnd { get; set; }

    /// <summary>rtpproxy's protocol over UDP (cookie datagrams).</summary>
    public List<IPEndPoint> RtpproxyUdp { get; } = [];

    /// <summary>rtpproxy's protocol on UNIX stream sockets (no cookie).</summary>
    public List<string> RtpproxyUnix { get; } = [];

    /// <summary>Every UDP control endpoint: media must never be sent to one of them.</summary>
    public IEnumerable<IPEndPoint> UdpEndPoints => Ng.Concat(RtpproxyUdp);

    /// <summary>The management HTTP listener (TCP); null when off.</summary>
    public IPEndPoint? Management { get; set; }

    /// <summary>The management listener is the built-in default (a taken default address only warns).</summary>
    public bool ManagementIsDefault { get; set; }

    /// <summary>The management bearer token; null for none.</summary>
    public string? ManagementToken { get; set; }

    /// <summary>Every control endpoint media must never be sent to: the UDP ones and the management port.</summary>
    public IEnumerable<IPEndPoint> ProtectedEndPoints =>
        Management is { Port: > 0 } management ? UdpEndPoints.Append(management) : UdpEndPoints;

    /// <summary>Reads the listener settings; errors say what is wrong and what to give.</summary>
    public static ControlListeners Parse(MediaRelaySettings settings, List<string> errors)
    {
        var listeners = new ControlListeners();
        foreach (var text in settings.NgListen.Length == 0 ? [MediaRelaySettings.DefaultNgListen] : settings.NgListen)
        {
            if (IPEndPoint.TryParse(text, out var endPoint) && endPoint.Port != 0)
            {
                listeners.Ng.Add(endPoint);
            }
            else
            {
                errors.Add($"ng-listen '{text}' is not address:port: give one such as 127.0.0.1:2223 or [::1]:2223");
            }
        }

        if (!string.IsNullOrWhiteSpace(settings.MediaProxySocket))
        {
            listeners.MediaProxySocket = settings.MediaProxySocket.Trim();
        }

        if (!string.IsNullOrWhiteSpace(settings.MediaProxyDialogEnd))
        {
            if (DialogEndTarget.TryParse(settings.MediaProxyDialogEnd.Trim(), out var target))
            {
                listeners.DialogEnd = target;
                if (listeners.MediaProxySocket is null)
                {
                    errors.Add("mediaproxy-dialog-end needs mediaproxy-socket: only calls signalled through MediaProxy's protocol carry the dialog to end");
                }
            }
            else
            {
                errors.Add($"mediaproxy-dialog-end '{settings.MediaProxyDialogEnd}' is not known: give kamailio:HOST:PORT or kamailio:/path/of/the/jsonrpcs/socket (Kamailio's dlg.end_dlg), or opensips:HOST:PORT or opensips:/path (OpenSIPS's mi_datagram dlg_end_dlg)");
            }
        }

        foreach (var raw in settings.RtpproxyListen)
        {
            var text = raw.Trim();
            if (text.StartsWith("unix:", StringComparison.OrdinalIgnoreCase) && text.Length > 5)
            {
                listeners.RtpproxyUnix.Add(text[5..]);
                continue;
            }

            var address = text.StartsWith("udp:", StringComparison.OrdinalIgnoreCase) ? text[4..]
                : text.StartsWith("udp6:", StringComparison.OrdinalIgnoreCase) ? text[5..]
                : text;
            if (IPEndPoint.TryParse(address, out var endPoint) && endPoint.Port != 0)
            {
                listeners.RtpproxyUdp.Add(endPoint);
            }
            else
            {
                errors.Add($"rtpproxy-listen '{raw}' is not known: give udp:127.0.0.1:7722, udp6:[::1]:7722 or unix:/run/mediarelay/rtpproxy.sock");
            }
        }

        ParseManagement(settings, listeners, errors);
        return listeners;
    }

    private static void ParseManagement(MediaRelaySettings settings, ControlListeners listeners, List<string> errors)
    {
        var token = settings.ManagementToken?.Trim();
        listeners.ManagementToken = string.IsNullOrEmpty(token) ? null : token;
        var text = settings.ManagementListen?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        if (!IPEndPoint.TryParse(text, out var endPoint) || !text.Contains(':', StringComparison.Ordinal))
        {
            errors.Add($"management-listen '{text}' is not address:port: give one such as 127.0.0.1:9900 or [::1]:9900, or an empty value to turn the management listener off");
            return;
        }

        if (!IPAddress.IsLoopback(endPoint.Address) && listeners.ManagementToken is null)
        {
            errors.Add($"management-listen {text} reaches beyond this host and the management API can end calls: give a token with --management-token (config ManagementToken), or listen on 127.0.0.1");
            return;
        }

        listeners.Management = endPoint;
        listeners.ManagementIsDefault = text == MediaRelaySettings.DefaultManagementListen;
    }
}
