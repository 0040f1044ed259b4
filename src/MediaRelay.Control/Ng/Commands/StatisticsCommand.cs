using MediaRelay.Core.Api;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Ng.Commands;

/// <summary>
/// <c>statistics</c>: relay-wide figures under <c>statistics</c>, grouped as rtpengine groups them where the
/// model has the figure (<c>currentstatistics</c>, <c>totalstatistics</c>), plus <c>ports</c>.
/// </summary>
internal sealed class StatisticsCommand(ISessionApi sessions, TimeProvider time) : INgCommandHandler
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    public string Command => "statistics";

    public BencodeDictionary Handle(NgRequest request)
    {
        var totals = sessions.Totals;
        var current = new BencodeDictionary
        {
            { "sessionsown", totals.CurrentSessions },
            { "sessionsforeign", 0L },
            { "sessionstotal", totals.CurrentSessions },
        };
        var overall = new BencodeDictionary
        {
            { "uptime", (long)(time.GetUtcNow() - _started).TotalSeconds },
            { "managedsessions", totals.SessionsCreated },
            { "endedsessions", totals.SessionsEnded },
            { "timeoutsessions", totals.SessionsTimedOut },
        };
        var ports = new BencodeDictionary
        {
            { "used", totals.PortsInUse },
            { "free", Math.Max(0, totals.PortsTotal - totals.PortsInUse) },
            { "total", totals.PortsTotal },
        };

        var reply = NgReplies.Ok();
        reply.Add("statistics", new BencodeDictionary
        {
            { "currentstatistics", current },
            { "totalstatistics", overall },
            { "ports", ports },
        });
        return reply;
    }
}
