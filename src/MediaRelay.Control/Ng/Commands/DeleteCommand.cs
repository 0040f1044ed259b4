using MediaRelay.Core.Api;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Ng.Commands;

/// <summary>
/// <c>delete</c>: ends a whole call and returns its statistics, as query does. <c>delete delay</c> (seconds; default
/// <see cref="NgOptions.DeleteDelay"/>, 0 = now) keeps the call running for a while first. The model holds one
/// session per Call-ID, so from-tag, to-tag and via-branch do not narrow the delete to one branch or dialogue:
/// the whole call goes. An unknown call is a warning, or with flag <c>fatal</c> the error <c>Unknown call-id</c>.
/// </summary>
internal sealed class DeleteCommand(ISessionApi sessions, NgOptions options) : INgCommandHandler
{
    private const long MaxDeleteDelaySeconds = 86_400;

    public string Command => "delete";

    public BencodeDictionary Handle(NgRequest request)
    {
        var callId = request.CallId;
        if (string.IsNullOrEmpty(callId))
        {
            return NgReplies.Error(NgErrors.NoCallId);
        }

        var seconds = request.GetInteger("delete delay");
        // Clamped to a day: a timer cannot take an absurd delay, and no proxy means one.
        var delay = seconds is { } s ? TimeSpan.FromSeconds(Math.Clamp(s, 0, MaxDeleteDelaySeconds)) : options.DeleteDelay;
        var call = sessions.RemoveLater(callId, delay);
        if (call is null)
        {
            if (request.HasFlag("fatal"))
            {
                return NgReplies.Error(NgErrors.UnknownCallId);
            }

            var reply = NgReplies.Ok();
            reply.Add(NgReplies.WarningKey, NgErrors.CallNotFoundWarning);
            return reply;
        }

        return NgCallReport.Build(call);
    }

    /// <summary>A report too big for one datagram keeps its totals and the detail of the first streams that fit.</summary>
    public BencodeDictionary? Trim(BencodeDictionary reply, Func<BencodeDictionary, bool> fits) => NgCallReport.Trim(reply, fits);
}
