using MediaRelay.Core.Api;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Ng;

/// <summary>Builders for the common reply shapes, so every handler words them alike.</summary>
public static class NgReplies
{
    public const string ResultKey = "result";
    public const string ErrorReasonKey = "error-reason";
    public const string WarningKey = "warning";

    /// <summary><c>result: ok</c>; handlers add their keys after it.</summary>
    public static BencodeDictionary Ok() => new() { { ResultKey, "ok" } };

    public static BencodeDictionary Pong() => new() { { ResultKey, "pong" } };

    /// <summary><c>result: error</c> with the reason; use an <see cref="NgErrors"/> constant.</summary>
    public static BencodeDictionary Error(string reason) => new() { { ResultKey, "error" }, { ErrorReasonKey, reason } };

    /// <summary>
    /// What is left of a reply too big for one datagram when it cannot be trimmed: its <c>result</c> (and
    /// <c>error-reason</c>, if any) and the warning <see cref="NgErrors.ReplyTooBigWarning"/>.
    /// </summary>
    public static BencodeDictionary ResultOnly(BencodeDictionary reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var minimal = new BencodeDictionary { { ResultKey, reply.GetString(ResultKey) ?? "error" } };
        // Our reasons are short constants; a long one could be what made the reply too big.
        if (reply.GetString(ErrorReasonKey) is { Length: <= 200 } reason)
        {
            minimal.Add(ErrorReasonKey, reason);
        }

        minimal.Add(WarningKey, NgErrors.ReplyTooBigWarning);
        return minimal;
    }

    /// <summary><c>result: load limit</c>: what a proxy that sent <c>supports: ["load limit"]</c> gets at the session limit.</summary>
    public static BencodeDictionary LoadLimit() => new() { { ResultKey, "load limit" } };

    /// <summary>
    /// The reply to a refused offer at the session limit: <c>result: load limit</c> when the request lists
    /// <c>load limit</c> under <c>supports</c> (the proxy then tries another relay without treating it as a
    /// failure), else the error <see cref="NgErrors.SessionLimit"/>.
    /// </summary>
    public static BencodeDictionary SessionLimitReached(NgRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Supports("load limit") ? LoadLimit() : Error(NgErrors.SessionLimit);
    }

    /// <summary>
    /// The reply for a refused session update, or null for <see cref="SessionError.None"/>. A tag mismatch reads as
    /// an unknown call: rtpengine has no separate error for it and proxies treat both alike.
    /// </summary>
    public static BencodeDictionary? FromSessionError(SessionError error, NgRequest request) => error switch
    {
        SessionError.None => null,
        SessionError.OutOfPorts => Error(NgErrors.OutOfPorts),
        SessionError.SessionLimit => SessionLimitReached(request),
        SessionError.UnknownCall or SessionError.TagMismatch => Error(NgErrors.UnknownCallId),
        SessionError.TooManyStreams => Error(NgErrors.TooManyStreams),
        // A proxy that understands "load limit" sends the call to another relay; others see why.
        SessionError.Draining => request.Supports("load limit") ? LoadLimit() : Error(NgErrors.Draining),
        _ => Error(NgErrors.InternalError),
    };
}
