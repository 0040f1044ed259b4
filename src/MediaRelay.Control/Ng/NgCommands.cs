using MediaRelay.Control.Ng.Commands;
using MediaRelay.Core.Api;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Control.Ng;

/// <summary>
/// Builds a dispatcher with every ng command: ping, offer, answer, query, delete, list, statistics, over the
/// session API (whose session manager also runs the delete-delay timers).
/// </summary>
public static class NgCommands
{
    public static NgDispatcher CreateDispatcher(ISessionApi sessions, NgOptions options, TimeProvider? time = null,
        ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(options);
        time ??= TimeProvider.System;
        loggers ??= NullLoggerFactory.Instance;
        var dispatcher = new NgDispatcher(loggers.CreateLogger<NgDispatcher>(), options.CountRequests);
        dispatcher.Register(new PingCommand());
        dispatcher.Register(new SdpCommand(sessions, isOffer: true));
        dispatcher.Register(new SdpCommand(sessions, isOffer: false));
        dispatcher.Register(new QueryCommand(sessions));
        dispatcher.Register(new DeleteCommand(sessions, options));
        dispatcher.Register(new ListCommand(sessions, options));
        dispatcher.Register(new StatisticsCommand(sessions, time));
        return dispatcher;
    }
}
