namespace MediaRelay.Fuzz;

/// <summary>One fuzz target: a name (the corpus folder fuzz/corpus/NAME) and the code that takes one input.</summary>
public sealed record FuzzTarget(string Name, string Description, FuzzTarget.Body Run)
{
    /// <summary>Runs one input. Any exception is a finding (invariants throw <see cref="FuzzInvariantException"/>).</summary>
    public delegate void Body(ReadOnlySpan<byte> input);
}

/// <summary>Every fuzz target, by name. The same code runs under afl-fuzz (instrumented) and in the CI replay.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("rtp", "RtpHeader.TryRead", ParserTargets.Rtp),
        new("rtcp", "RtcpReader.TryRead", ParserTargets.Rtcp),
        new("stun", "StunMessage.IsStun", ParserTargets.Stun),
        new("classifier", "PacketClassifier.Classify, IsRtcpHeader, IsDtlsRecord, MayLatch", ParserTargets.Classifier),
        new("bencode", "BencodeReader.TryParse, BencodeWriter round trip", ParserTargets.Bencode),
        new("ngjson", "NgJson.TryParse, NgJson.Write round trip", ParserTargets.NgJson),
        new("sdp", "SdpSession.TryParse, SdpMediaExtractor, SdpRewriter", ParserTargets.Sdp),
        new("mediaproxy", "MediaProxyFraming.Find, MediaProxyRequest.TryParse", ParserTargets.MediaProxy),
        new("rtpproxy", "RtpproxyCommand.TryParse (datagram and stream)", ParserTargets.Rtpproxy),
        new("relay", "stateful: packets and signalling into a SessionManager on a fake clock", RelayTarget.Run),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
