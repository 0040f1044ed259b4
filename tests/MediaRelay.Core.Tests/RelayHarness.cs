using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Core.Model;
using MediaRelay.Core.Statistics;
using Microsoft.Extensions.Time.Testing;

namespace MediaRelay.Core.Tests;

/// <summary>A session manager over a fake transport and a fake clock, with one call set up by offer and answer.</summary>
internal sealed class RelayHarness : IDisposable
{
    public const string CallId = "call-1";
    public static readonly IPEndPoint CallerSdp = Packets.Ep("10.0.0.1", 5000);
    public static readonly IPEndPoint CalleeSdp = Packets.Ep("10.0.0.2", 6000);

    public RelayHarness(RelayOptions? options = null)
    {
        Options = options ?? new RelayOptions { PortMin = 40000, PortMax = 40099 };
        Manager = new SessionManager(Options, Transport, Clock);
        Manager.SessionEnded += s => Ended.Add(s);
    }

    public FakeTimeProvider Clock { get; } = new();

    public FakeTransport Transport { get; } = new();

    public RelayOptions Options { get; }

    public SessionManager Manager { get; }

    public List<SessionStatistics> Ended { get; } = [];

    /// <summary>Relay ports facing the callee (from the offer) and facing the caller (from the answer).</summary>
    public RelayedMedia FacingCallee { get; private set; } = null!;

    public RelayedMedia FacingCaller { get; private set; } = null!;

    public static MediaDescription Audio(IPEndPoint sdp, MediaDirection direction = MediaDirection.SendRecv, bool ice = false) =>
        new("audio", sdp.Address, sdp.Port, direction, ice);

    public RelayHarness Call(MediaDescription? caller = null, MediaDescription? callee = null)
    {
        Assert.Equal(SessionError.None, Manager.Offer(CallId, "tagA", null, [caller ?? Audio(CallerSdp)], null, out var offered));
        Assert.Equal(SessionError.None, Manager.Answer(CallId, "tagA", "tagB", [callee ?? Audio(CalleeSdp)], null, out var answered));
        FacingCallee = offered[0];
        FacingCaller = answered[0];
        return this;
    }

    /// <summary>A packet from the caller arrives at the relay port the caller was given.</summary>
    public void FromCaller(byte[] packet, IPEndPoint source) => Transport.Deliver(FacingCaller.RtpPort, packet, source);

    public void FromCallee(byte[] packet, IPEndPoint source) => Transport.Deliver(FacingCallee.RtpPort, packet, source);

    public StreamStatistics Stream => Manager.Query(CallId)!.Streams[0];

    /// <summary>
    /// Lets the freed port pairs' reuse time pass, and a sweep after it: the sockets parked for reuse are closed then.
    /// </summary>
    public void PassPortReuse() => Clock.Advance(Options.PortReuse + Options.SweepInterval);

    public void Dispose() => Manager.Dispose();
}
