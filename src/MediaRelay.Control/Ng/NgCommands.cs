using MediaRelay.Control.Ng.Commands;
using MediaRelay.Core.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Control.Ng;

/// <summary>
/// Builds a dispatcher with the commands this layer owns: ping, query, delete, list, statistics. Offer and answer
/// are registered by their owner with <see cref="NgDispatcher.Register"/>. Dispose the dispatcher to stop
/// pending delete timers.
/// </summary>
public static class NgCommands
{
    public static NgDispatcher CreateDispatcher(SessionManager sessions, NgOptions options, TimeProvider? time = null,
        ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        return CreateDispatcher(new SessionManagerSessions(sessions), options, time, loggers);
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
