using MediaRelay.Core.Api;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Ng.Commands;

/// <summary><c>list</c>: <c>calls</c>, the Call-IDs of running calls, at most <c>limit</c> (default <see cref="NgOptions.ListLimit"/>).</summary>
internal sealed class ListCommand(ISessionApi sessions, NgOptions options) : INgCommandHandler
{
    public string Command => "list";

    public BencodeDictionary Handle(NgRequest request)
    {
        var limit = request.GetInteger("limit") ?? options.ListLimit;
        var calls = new BencodeList();
        foreach (var callId in sessions.ListCallIds())
        {
            if (calls.Count >= limit)
            {
                break;
            }

            calls.Add(callId);
        }

        var reply = NgReplies.Ok();
        reply.Add("calls", calls);
        return reply;
    }
}
