using MediaRelay.Control.Sdp;
using MediaRelay.Core.Api;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Ng.Commands;

/// <summary>
/// <c>offer</c> and <c>answer</c>: map the ng arguments onto <see cref="SdpOfferAnswer"/> and its outcome onto an
/// ng reply. The offer's from-tag names the offerer; the answer's to-tag names the answerer. Bad input gets an
/// error reply and changes nothing.
/// </summary>
internal sealed class SdpCommand(ISessionApi sessions, bool isOffer) : INgCommandHandler
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

        var placement = NgSdpOptions.Placement(request);
        foreach (var name in (ReadOnlySpan<string?>)[placement.OffererInterface, placement.AnswererInterface])
        {
            if (name is not null && !sessions.InterfaceNames.Contains(name))
            {
                // rtpengine falls back to the default interface here; a typo would then bridge nothing, silently.
                return NgReplies.Error($"Unknown interface '{name}' (this relay has: {string.Join(", ", sessions.InterfaceNames)})");
            }
        }

        var receivedFrom = NgSdpOptions.ReceivedFrom(request);
        var result = SdpOfferAnswer.Apply(sessions, isOffer, callId, fromTag, string.IsNullOrEmpty(toTag) ? null : toTag,
            text, receivedFrom, NgSdpOptions.TrustedOverride(request, receivedFrom), NgSdpOptions.Rewrite(request), placement);
        switch (result.Outcome)
        {
            case SdpOutcome.SdpInvalid:
                return NgReplies.Error(NgErrors.SdpParseFailed);
            case SdpOutcome.Refused:
                return NgReplies.FromSessionError(result.Error, request) ?? NgReplies.Error(NgErrors.InternalError);
            default:
                var reply = NgReplies.Ok();
                reply.Add("sdp", result.Sdp!);
                return reply;
        }
    }
}
