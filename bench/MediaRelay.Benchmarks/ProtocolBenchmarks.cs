using BenchmarkDotNet.Attributes;
using MediaRelay.Protocols;
using MediaRelay.Protocols.Rtp;
using MediaRelay.Protocols.Stun;

namespace MediaRelay.Benchmarks;

/// <summary>
/// The parsers on the packet path, alone: demultiplexing by first bytes and reading an RTP header. One call costs
/// about a nanosecond, below what BenchmarkDotNet can time on its own, so each invocation walks a batch of
/// <see cref="Batch"/> distinct packets (different sequence numbers or transaction ids) and the figures are per
/// packet (<see cref="BenchmarkAttribute.OperationsPerInvoke"/>). Distinct packets keep the JIT from hoisting the work.
/// </summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private const int Batch = 256;

    private readonly byte[][] _rtp = new byte[Batch][];
    private readonly byte[][] _stun = new byte[Batch][];

    [GlobalSetup]
    public void Setup()
    {
        var transactionId = new byte[12];
        for (var i = 0; i < Batch; i++)
        {
            _rtp[i] = new byte[172];
            RtpHeader.TryWrite(_rtp[i], payloadType: 0, marker: false, sequenceNumber: (ushort)i, timestamp: (uint)(160 * i), ssrc: 0x1234_5678);
            _stun[i] = new byte[StunMessage.HeaderSize];
            transactionId[0] = (byte)i;
            StunMessage.TryWriteBindingRequest(_stun[i], transactionId);
        }
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int ClassifyRtp()
    {
        var rtp = 0;
        foreach (var packet in _rtp)
        {
            rtp += PacketClassifier.Classify(packet) == PacketKind.Rtp ? 1 : 0;
        }

        return rtp;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int ClassifyStun()
    {
        var stun = 0;
        foreach (var packet in _stun)
        {
            stun += PacketClassifier.Classify(packet) == PacketKind.Stun ? 1 : 0;
        }

        return stun;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int RtpHeaderTryRead()
    {
        var sum = 0;
        foreach (var packet in _rtp)
        {
            sum += RtpHeader.TryRead(packet, out var header) ? header.SequenceNumber : -1;
        }

        return sum;
    }
}
