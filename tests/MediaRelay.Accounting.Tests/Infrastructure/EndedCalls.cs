using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;

namespace MediaRelay.Accounting.Tests.Infrastructure;

/// <summary>Final statistics of calls, as the session-ended event gives them to the accounting writer.</summary>
internal static class EndedCalls
{
    /// <summary>A call of one audio stream that ended (closed) with <paramref name="packets"/> RTP packets from the caller.</summary>
    public static SessionStatistics Ended(string callId, long packets)
    {
        var now = DateTimeOffset.UtcNow;
        SubPartyStatistics Side(int port, long count) =>
            new(new IPEndPoint(IPAddress.Loopback, port), new IPEndPoint(IPAddress.Loopback, port + 1000), null, count, count * 172, 0, 0, 0, 0);
        var caller = new PartyStatistics(PartyRole.Caller, "a", MediaDirection.SendRecv, Side(40000, packets), Side(40001, 0));
        var callee = new PartyStatistics(PartyRole.Callee, "b", MediaDirection.SendRecv, Side(40002, 0), Side(40003, 0));
        var stream = new StreamStatistics(0, "audio", "PCMU", now, EndReason.Closed, TimeSpan.Zero, caller, callee);
        return new SessionStatistics(callId, "a", "b", now.AddSeconds(-10), now, EndReason.Closed, TimeSpan.Zero, [stream]);
    }
}
