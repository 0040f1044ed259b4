namespace MediaRelay.Control.Ng;

/// <summary>
/// The <c>error-reason</c> strings of ng error replies. Proxies and their scripts match some of them literally
/// (they are rtpengine's), so never reword one.
/// </summary>
public static class NgErrors
{
    public const string OutOfPorts = "Ran out of ports";
    public const string SessionLimit = "Parallel session limit reached";
    public const string UnknownCallId = "Unknown call-id";
    public const string NoCallId = "No call-id in message";
    public const string NoFromTag = "No from-tag in message";
    public const string NoToTag = "No to-tag in message";
    public const string NoSdpBody = "No SDP body in message";
    public const string SdpParseFailed = "Failed to parse SDP";
    public const string UnrecognizedCommand = "Unrecognized command";
    public const string NoCommand = "No command in message";

    /// <summary>An offer or answer with more m-lines than --max-streams; nothing was allocated.</summary>
    public const string TooManyStreams = "Too many media streams";

    /// <summary>The body was neither a bencode dictionary nor a JSON object.</summary>
    public const string MalformedMessage = "Could not decode dictionary";

    /// <summary>A command handler failed unexpectedly; the details are in the log.</summary>
    public const string InternalError = "Internal error";

    /// <summary>The <c>warning</c> of a delete for a call the relay does not know (without the fatal flag).</summary>
    public const string CallNotFoundWarning = "Call-ID not found or tags didn't match";

    /// <summary>
    /// The <c>warning</c> of a reply cut to <c>result</c> (and <c>error-reason</c>) because it would not fit one UDP
    /// datagram even trimmed.
    /// </summary>
    public const string ReplyTooBigWarning = "Reply trimmed to its result: too big for one datagram (reply size limit)";

    /// <summary>
    /// The <c>warning</c> of a query or delete report that shows the detail of only the first
    /// <paramref name="shown"/> of <paramref name="total"/> media streams (m-lines) so the reply fits one UDP datagram;
    /// the totals cover every stream.
    /// </summary>
    public static string ReportTrimmedWarning(int shown, int total) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Report trimmed: {shown} of {total} media streams shown (reply size limit)");

    /// <summary>An offer for a new call while the relay drains (MediaRelay's own; rtpengine has no drain).</summary>
    public const string Draining = "Relay is draining: new calls are refused";
}
