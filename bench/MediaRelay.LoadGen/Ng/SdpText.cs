using System.Globalization;
using System.Net;

namespace MediaRelay.LoadGen.Ng;

/// <summary>Builds the generator's SDP and reads the relay's address and audio port back (RFC 4566 lines).</summary>
internal static class SdpText
{
    public static string BuildAudio(IPAddress address, int rtpPort, long sessionId) => BuildAudio(address, rtpPort, sessionId, 1, "sendrecv");

    /// <summary>An audio offer or answer with an SDP version (o= line; one more per re-INVITE) and a direction attribute.</summary>
    public static string BuildAudio(IPAddress address, int rtpPort, long sessionId, int version, string direction)
    {
        var family = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
        var host = address.ToString();
        var id = sessionId.ToString(CultureInfo.InvariantCulture);
        return "v=0\r\n"
            + "o=loadgen " + id + " " + version.ToString(CultureInfo.InvariantCulture) + " IN " + family + " " + host + "\r\n"
            + "s=loadgen\r\n"
            + "c=IN " + family + " " + host + "\r\n"
            + "t=0 0\r\n"
            + "m=audio " + rtpPort.ToString(CultureInfo.InvariantCulture) + " RTP/AVP 0\r\n"
            + "a=rtpmap:0 PCMU/8000\r\n"
            + "a=ptime:20\r\n"
            + "a=" + direction + "\r\n";
    }

    /// <summary>Finds the first audio m-line's port and the connection address that applies to it.</summary>
    public static bool TryParseAudioEndpoint(string sdp, out IPEndPoint? endpoint)
    {
        endpoint = null;
        IPAddress? sessionAddress = null;
        IPAddress? mediaAddress = null;
        var port = -1;
        var inAudio = false;
        foreach (var rawLine in sdp.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.StartsWith("m=", StringComparison.Ordinal))
            {
                if (port >= 0)
                {
                    break;
                }

                inAudio = line.StartsWith("m=audio ", StringComparison.Ordinal);
                if (inAudio)
                {
                    var parts = line.Split(' ');
                    if (parts.Length < 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out port))
                    {
                        return false;
                    }
                }
            }
            else if (line.StartsWith("c=", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                if (parts.Length >= 3 && IPAddress.TryParse(parts[2].Split('/')[0], out var address))
                {
                    if (inAudio)
                    {
                        mediaAddress = address;
                    }
                    else if (port < 0)
                    {
                        sessionAddress = address;
                    }
                }
            }
        }

        var chosen = mediaAddress ?? sessionAddress;
        if (port <= 0 || chosen is null)
        {
            return false;
        }

        endpoint = new IPEndPoint(chosen, port);
        return true;
    }
}
