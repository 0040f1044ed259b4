using System.Globalization;
using System.Text.RegularExpressions;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.EndToEnd.Tests.Ng;

/// <summary>
/// Calls set up over ng by hand (no SIP): offer and answer with a one-audio-line SDP, returning the relay port that
/// the reply's SDP advertises. Every command must succeed.
/// </summary>
internal static partial class NgCalls
{
    /// <summary>Offer and answer with the phones' addresses; returns the relay ports (facing caller, facing callee).</summary>
    public static async Task<(int CallerFacing, int CalleeFacing)> CallAsync(NgClient ng, string callId, UdpPhone caller, UdpPhone callee)
    {
        var calleeFacing = await OfferAsync(ng, callId, "a", Sdp(caller.EndPoint.Address.ToString(), caller.EndPoint.Port));
        var callerFacing = await AnswerAsync(ng, callId, "a", "b", Sdp(callee.EndPoint.Address.ToString(), callee.EndPoint.Port));
        return (callerFacing, calleeFacing);
    }

    public static async Task<int> OfferAsync(NgClient ng, string callId, string fromTag, string sdp) =>
        MediaPort(await SendOkAsync(ng, new BencodeDictionary { { "call-id", callId }, { "command", "offer" }, { "from-tag", fromTag }, { "sdp", sdp } }));

    public static async Task<int> AnswerAsync(NgClient ng, string callId, string fromTag, string toTag, string sdp) =>
        MediaPort(await SendOkAsync(ng, new BencodeDictionary { { "call-id", callId }, { "command", "answer" }, { "from-tag", fromTag }, { "sdp", sdp }, { "to-tag", toTag } }));

    /// <summary>An offer with further keys (direction, address family, replace, ...); returns the reply, which must be ok.</summary>
    public static Task<BencodeDictionary> OfferWithAsync(NgClient ng, string callId, string fromTag, string sdp, BencodeDictionary extra) =>
        SendOkAsync(ng, Sorted(new BencodeDictionary { { "call-id", callId }, { "command", "offer" }, { "from-tag", fromTag }, { "sdp", sdp } }, extra));

    /// <summary>An answer with further keys (replace, ...); returns the reply, which must be ok.</summary>
    public static Task<BencodeDictionary> AnswerWithAsync(NgClient ng, string callId, string fromTag, string toTag, string sdp, BencodeDictionary extra) =>
        SendOkAsync(ng, Sorted(new BencodeDictionary { { "call-id", callId }, { "command", "answer" }, { "from-tag", fromTag }, { "sdp", sdp }, { "to-tag", toTag } }, extra));

    /// <summary>Both dictionaries' keys in one, in bencode's order (sorted as raw strings).</summary>
    public static BencodeDictionary Sorted(BencodeDictionary command, BencodeDictionary extra)
    {
        var sorted = new BencodeDictionary();
        foreach (var (key, value) in command.Concat(extra).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            sorted.Add(key, value);
        }

        return sorted;
    }

    /// <summary>The connection line (c=) of an SDP, e.g. "IN IP4 203.0.113.10".</summary>
    public static string Connection(string sdp) => ConnectionLine().Match(sdp).Groups[1].Value;

    /// <summary>The origin line's (o=) network type, family and address, e.g. "IN IP4 203.0.113.10".</summary>
    public static string Origin(string sdp) => OriginLine().Match(sdp).Groups[1].Value;

    public static async Task<BencodeDictionary> SendOkAsync(NgClient ng, BencodeDictionary command)
    {
        var reply = await ng.SendAsync(command, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.True(reply.GetString("result") == "ok", $"{command.GetString("command")}: {reply.GetString("error-reason")}");
        return reply;
    }

    public static int MediaPort(BencodeDictionary reply) => MediaPort(reply.GetString("sdp")!);

    /// <summary>The port of the SDP's audio line.</summary>
    public static int MediaPort(string sdp) => int.Parse(MediaLine().Match(sdp).Groups[1].Value, CultureInfo.InvariantCulture);

    public static string Sdp(string address, int port, string direction = "sendrecv", int? rtcpPort = null) =>
        $"v=0\r\no=- 1 1 {Family(address)} {address}\r\ns=-\r\nc={Family(address)} {address}\r\nt=0 0\r\nm=audio {port} RTP/AVP 0\r\na={direction}\r\n"
        + (rtcpPort is { } rtcp ? $"a=rtcp:{rtcp}\r\n" : "");

    private static string Family(string address) => address.Contains(':', StringComparison.Ordinal) ? "IN IP6" : "IN IP4";

    [GeneratedRegex(@"m=audio (\d+) ")]
    private static partial Regex MediaLine();

    [GeneratedRegex(@"(?m)^c=(IN IP[46] \S+)\r?$")]
    private static partial Regex ConnectionLine();

    [GeneratedRegex(@"(?m)^o=\S+ \S+ \S+ (IN IP[46] \S+)\r?$")]
    private static partial Regex OriginLine();
}
