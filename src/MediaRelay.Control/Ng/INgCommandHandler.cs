using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Ng;

/// <summary>
/// Handles one ng command. Register it with <see cref="NgDispatcher.Register"/>. Threading: Handle may be called
/// from several threads at once (requests with different cookies run in parallel); the server guarantees only
/// that one cookie is handled once.
/// </summary>
public interface INgCommandHandler
{
    /// <summary>The command name, in any spelling (it is normalised): <c>offer</c>, <c>delete</c> ...</summary>
    string Command { get; }

    /// <summary>Builds the reply dictionary, starting with <c>result</c>. Must not throw for bad requests; reply with an error.</summary>
    BencodeDictionary Handle(NgRequest request);

    /// <summary>
    /// A smaller form of <paramref name="reply"/>, which this handler built, for when its encoding is too big for one
    /// UDP datagram: <paramref name="fits"/> encodes a candidate as the server would send it and says whether it fits.
    /// Return a reply that fits and says in <c>warning</c> what it leaves out, or null when there is none; the server
    /// then sends only <c>result</c> and a warning (<see cref="NgReplies.ResultOnly"/>). Default null.
    /// </summary>
    BencodeDictionary? Trim(BencodeDictionary reply, Func<BencodeDictionary, bool> fits) => null;
}
