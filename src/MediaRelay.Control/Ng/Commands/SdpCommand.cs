using MediaRelay.Control.Sdp;
using MediaRelay.Core.Api;
using MediaRelay.Core.Model;
using MediaRelay.Protocols.Bencode;
using MediaRelay.Protocols.Sdp;

namespace MediaRelay.Control.Ng.Commands;

/// <summary>
/// <c>offer</c> and <c>answer</c>: parse the party's SDP, apply it to the session model, and return the SDP
/// rewritten so the other party sends to the relay. The offer's from-tag names the offerer; the answer's to-tag
/// names the answerer. Bad input gets an error reply and changes nothing.
/// </summary>
internal sealed class SdpCommand(SessionManager sessions, NgDispatcher dispatcher, bool isOffer) : INgCommandHandler
{
    public string Command => isOffer ? "offer" : "answer";

    public BencodeDictionary Handle(NgRequest request)
    {
        var callId = request.CallId;
        if (string.IsNullOrEmpty(callId))
        {
            return NgReplies.Error(NgErrors.NoCallId);
        }

        var fromTag = request.FromTag;
        if (string.IsNullOrEmpty(fromTag))
        {
            return NgReplies.Error(NgErrors.NoFromTag);
        }

        var toTag = request.ToTag;
        if (!isOffer && string.IsNullOrEmpty(toTag))
        {
            return NgReplies.Error(NgErrors.NoToTag);
        }

        var text = request.Sdp;
        if (string.IsNullOrEmpty(text))
        {
            return NgReplies.Error(NgErrors.NoSdpBody);
        }

        var receivedFrom = NgSdpOptions.ReceivedFrom(request);
        if (!SdpSession.TryParse(text, out var sdp, out _)
            || !SdpMediaExtractor.TryExtract(sdp!, NgSdpOptions.TrustedOverride(request, receivedFrom), out var media, out _))
        {
            return NgReplies.Error(NgErrors.SdpParseFailed);
        }

        SessionError error;
        IReadOnlyList<RelayedMedia> relayed;
        if (isOffer)
        {
            // A call signalled again while its delete delay runs (a new branch after a failed one) stays.
            dispatcher.CancelPendingDelete(callId);
            error = sessions.Offer(callId, fromTag, string.IsNullOrEmpty(toTag) ? null : toTag, media, receivedFrom, out relayed);
        }
        else
        {
            error = sessions.Answer(callId, fromTag, toTag!, media, receivedFrom, out relayed);
        }

        if (NgReplies.FromSessionError(error, request) is { } refused)
        {
            return refused;
        }

        var options = NgSdpOptions.Rewrite(request);
        KeepIceCredentials(sdp!, options);
        var rewritten = SdpRewriter.Rewrite(sdp!, relayed, options);
        var reply = NgReplies.Ok();
        reply.Add("sdp", rewritten);
        return reply;
    }

    /// <summary>
    /// The relay passes STUN through unchanged (it is a relay candidate, not an ICE agent), so the candidates it
    /// writes must carry the party's own credentials: the other party's checks reach the party, which answers them
    /// with those (RFC 8445 section 7.2.2).
    /// </summary>
    private static void KeepIceCredentials(SdpSession sdp, SdpRewriteOptions options)
    {
        foreach (var section in sdp.Media.Cast<SdpSection>().Prepend(sdp))
        {
            if (options.IceUsernameFragment is null && section.TryGetAttribute("ice-ufrag", out var ufrag) && ufrag.Value is { Length: > 0 })
            {
                options.IceUsernameFragment = ufrag.Value;
            }

            if (options.IcePassword is null && section.TryGetAttribute("ice-pwd", out var pwd) && pwd.Value is { Length: > 0 })
            {
                options.IcePassword = pwd.Value;
            }
        }
    }
}
