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
}
