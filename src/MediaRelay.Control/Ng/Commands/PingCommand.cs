using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Ng.Commands;

/// <summary><c>ping</c>: answers <c>result: pong</c>; proxies use it to tell whether the relay is alive.</summary>
internal sealed class PingCommand : INgCommandHandler
{
    public string Command => "ping";

    public BencodeDictionary Handle(NgRequest request) => NgReplies.Pong();
}
