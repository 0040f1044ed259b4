using MediaRelay.Control.Ng;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Tests.Ng;

/// <summary>Counts its calls and echoes what it understood; optionally blocks until released.</summary>
internal sealed class CountingHandler(string command) : INgCommandHandler
{
    private int _calls;

    public string Command => command;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>When set, Handle waits for it (the test releases it), and signals Entered first.</summary>
    public SemaphoreSlim? Gate { get; init; }

    public SemaphoreSlim Entered { get; } = new(0);

    public BencodeDictionary Handle(NgRequest request)
    {
        var n = Interlocked.Increment(ref _calls);
        Entered.Release();
        Gate?.Wait(TimeSpan.FromSeconds(10));
        var reply = NgReplies.Ok();
        reply.Add("call", n);
        reply.Add("call-id", request.CallId ?? string.Empty);
        reply.Add("from-tag", request.FromTag ?? string.Empty);
        reply.Add("flags", new BencodeList(request.Flags.Select(f => new BencodeString(f))));
        reply.Add("trust", request.HasFlag("trust address") ? 1 : 0);
        return reply;
    }
}

/// <summary>Throws, as a buggy handler might.</summary>
internal sealed class ThrowingHandler : INgCommandHandler
{
    public string Command => "explode";

    public BencodeDictionary Handle(NgRequest request) => throw new InvalidOperationException("boom");
}

/// <summary>Replies <c>ok</c> with a <c>blob</c> of <see cref="Size"/> bytes, a reply no handler knows how to trim.</summary>
internal sealed class BlobHandler(int size) : INgCommandHandler
{
    public string Command => "blob";

    public int Size => size;

    public BencodeDictionary Handle(NgRequest request) => new() { { "result", "ok" }, { "blob", new string('x', size) } };
}
