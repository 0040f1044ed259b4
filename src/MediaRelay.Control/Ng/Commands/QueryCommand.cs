using MediaRelay.Core.Api;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Ng.Commands;

/// <summary><c>query</c>: the statistics of one call (<see cref="NgCallReport"/>), or <c>Unknown call-id</c>.</summary>
internal sealed class QueryCommand(ISessionApi sessions) : INgCommandHandler
{
    public string Command => "query";

    public BencodeDictionary Handle(NgRequest request)
    {
        var callId = request.CallId;
        if (string.IsNullOrEmpty(callId))
        {
            return NgReplies.Error(NgErrors.NoCallId);
        }

        var call = sessions.Query(callId);
        return call is null ? NgReplies.Error(NgErrors.UnknownCallId) : NgCallReport.Build(call);
    }

    /// <summary>A report too big for one datagram keeps its totals and the detail of the first streams that fit.</summary>
    public BencodeDictionary? Trim(BencodeDictionary reply, Func<BencodeDictionary, bool> fits) => NgCallReport.Trim(reply, fits);
}
