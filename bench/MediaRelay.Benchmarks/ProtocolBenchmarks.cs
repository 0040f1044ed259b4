using BenchmarkDotNet.Attributes;
using MediaRelay.Protocols;
using MediaRelay.Protocols.Rtp;
using MediaRelay.Protocols.Stun;

namespace MediaRelay.Benchmarks;

/// <summary>The parsers on the packet path, alone: demultiplexing by first bytes and reading an RTP header.</summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private readonly byte[] _rtp = new byte[172];
    private readonly byte[] _stun = new byte[StunMessage.HeaderSize];

    [GlobalSetup]
    public void Setup()
    {
        RtpHeader.TryWrite(_rtp, payloadType: 0, marker: false, sequenceNumber: 1, timestamp: 160, ssrc: 0x1234_5678);
        StunMessage.TryWriteBindingRequest(_stun, new byte[12]);
    }

    [Benchmark]
    public PacketKind ClassifyRtp() => PacketClassifier.Classify(_rtp);

    [Benchmark]
    public PacketKind ClassifyStun() => PacketClassifier.Classify(_stun);

    [Benchmark]
    public int RtpHeaderTryRead() => RtpHeader.TryRead(_rtp, out var header) ? header.SequenceNumber : -1;
}
