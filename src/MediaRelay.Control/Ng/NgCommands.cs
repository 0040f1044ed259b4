using MediaRelay.Control.Ng.Commands;
using MediaRelay.Core.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Control.Ng;

/// <summary>
/// Builds a dispatcher with every ng command: ping, offer, answer, query, delete, list, statistics. Dispose the dispatcher to stop
/// pending delete timers.
/// </summary>
public static class NgCommands
{
    public static NgDispatcher CreateDispatcher(SessionManager sessions, NgOptions options, TimeProvider? time = null,
        ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var dispatcher = CreateDispatcher(new SessionManagerSessions(sessions), options, time, loggers);
        dispatcher.Register(new SdpCommand(sessions, dispatcher, isOffer: true));
        dispatcher.Register(new SdpCommand(sessions, dispatcher, isOffer: false));
        return dispatcher;
    }

    internal static NgDispatcher CreateDispatcher(INgSessions sessions, NgOptions options, TimeProvider? time = null,
        ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        time ??= TimeProvider.System;
        loggers ??= NullLoggerFactory.Instance;
        var dispatcher = new NgDispatcher(loggers.CreateLogger<NgDispatcher>());
        var delayed = new NgDelayedDeletes(sessions, time, loggers.CreateLogger<NgDispatcher>());
        dispatcher.DelayedDeletes = delayed;
        dispatcher.Own(delayed);
        dispatcher.Register(new PingCommand());
        dispatcher.Register(new QueryCommand(sessions));
        dispatcher.Register(new DeleteCommand(sessions, delayed, options));
        dispatcher.Register(new ListCommand(sessions, options));
        dispatcher.Register(new StatisticsCommand(sessions, time));
        return dispatcher;
    }
}
