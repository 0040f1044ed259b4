using System.Net;
using BenchmarkDotNet.Attributes;
using MediaRelay.Core.Api;
using MediaRelay.Core.Model;
using MediaRelay.Protocols;
using MediaRelay.Protocols.Rtp;
using MediaRelay.Protocols.Stun;

namespace MediaRelay.Benchmarks;

/// <summary>
/// The per-packet cost of the relay's user-space packet path (the seed's got_data) without syscalls: one call is
/// set up through <see cref="SessionManager"/> Offer/Answer over a <see cref="FakeTransport"/>, both sides latch
/// with one packet each, then each benchmark hands one datagram to the caller-facing RTP port's receiver, exactly
/// as the transport's receive loop would: classify, admit by source, count, relay out of the callee-facing socket.
/// </summary>
[MemoryDiagnoser]
public class RelayPathBenchmarks : IDisposable
{
    private const string CallId = "bench-call";
    private static readonly IPEndPoint CallerMedia = new(IPAddress.Parse("192.0.2.10"), 5000);
    private static readonly IPEndPoint CalleeMedia = new(IPAddress.Parse("192.0.2.20"), 6000);
    private static readonly IPEndPoint Stranger = new(IPAddress.Parse("203.0.113.99"), 7000);

    private readonly byte[] _rtp = new byte[172]; // 12-byte header + 160 bytes of G.711, one 20 ms frame.
    private readonly byte[] _stun = new byte[StunMessage.HeaderSize];
    private readonly SocketAddress _callerSource = CallerMedia.Serialize();
    private readonly SocketAddress _calleeSource = CalleeMedia.Serialize();
    private readonly SocketAddress _strangerSource = Stranger.Serialize();

    private FakeTransport _transport = null!;
    private SessionManager _sessions = null!;
    private IPacketReceiver _callerFacingRtp = null!;

    [GlobalSetup]
    public void Setup()
    {
        RtpHeader.TryWrite(_rtp, payloadType: 0, marker: false, sequenceNumber: 1, timestamp: 160, ssrc: 0x1234_5678);
        StunMessage.TryWriteBindingRequest(_stun, new byte[12]);

        _transport = new FakeTransport();
        var options = new RelayOptions
        {
            PortMin = 40000,
            PortMax = 40099,
            // Nothing may expire while a benchmark runs.
            StreamTimeout = TimeSpan.FromHours(1),
            SweepInterval = TimeSpan.FromHours(1),
        };
        _sessions = new SessionManager(options, _transport);

        Require(_sessions.Offer(CallId, "caller-tag", null, [new MediaDescription("audio", CallerMedia.Address, CallerMedia.Port)],
            CallerMedia.Address, out var towardsCallee), "offer");
        Require(_sessions.Answer(CallId, "caller-tag", "callee-tag", [new MediaDescription("audio", CalleeMedia.Address, CalleeMedia.Port)],
            CalleeMedia.Address, out var towardsCaller), "answer");

        // The answer's ports face the caller (they go into the SDP the caller receives); the offer's face the callee.
        _callerFacingRtp = _transport.ReceiverOf(towardsCaller[0].RtpPort);
        var calleeFacingRtp = _transport.ReceiverOf(towardsCallee[0].RtpPort);

        // Latch both sides with one packet each.
        _callerFacingRtp.OnPacket(_rtp, _callerSource);
        calleeFacingRtp.OnPacket(_rtp, _calleeSource);

        // Check that each benchmark measures the path it names.
        ExpectSends(() => RelayRtp(), 1, "RTP from the latched caller");
        ExpectSends(() => RelayStun(), 1, "STUN from the latched caller");
        ExpectSends(() => DropUnexpectedSource(), 0, "RTP from an unexpected source");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _sessions?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>RTP from the learned caller address: relayed to the callee.</summary>
    [Benchmark(Baseline = true)]
    public void RelayRtp() => _callerFacingRtp.OnPacket(_rtp, _callerSource);

    /// <summary>A STUN Binding Request from the learned caller address: relayed unchanged, not counted as media.</summary>
    [Benchmark]
    public void RelayStun() => _callerFacingRtp.OnPacket(_stun, _callerSource);

    /// <summary>RTP from a source that is neither the learned remote nor signalled: dropped and counted.</summary>
    [Benchmark]
    public void DropUnexpectedSource() => _callerFacingRtp.OnPacket(_rtp, _strangerSource);

    private void ExpectSends(Action deliver, long expected, string what)
    {
        var before = _transport.Sent;
        deliver();
        if (_transport.Sent - before != expected)
        {
            throw new InvalidOperationException($"{what}: expected {expected} send(s), saw {_transport.Sent - before}");
        }
    }

    private static void Require(SessionError error, string step)
    {
        if (error != SessionError.None)
        {
            throw new InvalidOperationException($"{step} failed: {error}");
        }
    }
}
