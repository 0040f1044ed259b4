using MediaRelay.Protocols.Bencode;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Control.Ng;

/// <summary>
/// Routes a decoded ng message to the handler registered for its command. Threading: register every handler
/// before the server starts; Dispatch may then run on any number of threads.
/// </summary>
public sealed class NgDispatcher
{
    private readonly Dictionary<string, INgCommandHandler> _handlers = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly bool _countRequests;

    /// <summary>With <paramref name="countRequests"/> false, requests are not recorded in <see cref="ControlRequests"/> (they are not the relay's).</summary>
    public NgDispatcher(ILogger<NgDispatcher>? logger = null, bool countRequests = true)
    {
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _countRequests = countRequests;
    }

    /// <summary>The normalised names of the registered commands.</summary>
    public IReadOnlyCollection<string> Commands => _handlers.Keys;

    /// <summary>Registers a handler; a later handler for the same command replaces the earlier one.</summary>
    public void Register(INgCommandHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers[NgNames.Normalize(handler.Command)] = handler;
    }

    /// <summary>Runs the command named in the body and returns the reply. Never throws.</summary>
    public BencodeDictionary Dispatch(BencodeValue body)
    {
        var started = _countRequests ? ControlRequests.Start() : 0;
        var reply = Run(body, out var command);
        ControlRequests.Record("ng", command, started);
        return reply;
    }

    /// <summary>Runs the command; <paramref name="name"/> is its registered name, else "unknown".</summary>
    private BencodeDictionary Run(BencodeValue body, out string name)
    {
        name = "unknown";
        if (body is not BencodeDictionary dictionary)
        {
            return NgReplies.Error(NgErrors.MalformedMessage);
        }

        var request = new NgRequest(dictionary);
        var command = request.Command;
        if (string.IsNullOrEmpty(command))
        {
            return NgReplies.Error(NgErrors.NoCommand);
        }

        if (!_handlers.TryGetValue(command, out var handler))
        {
            NgLog.UnrecognizedCommand(_logger, command);
            return NgReplies.Error(NgErrors.UnrecognizedCommand);
        }

        name = handler.Command;
        try
        {
            return handler.Handle(request);
        }
        catch (Exception e)
        {
            // The boundary between the wire and a handler: one bad command must not take the server down.
            NgLog.HandlerFailed(_logger, command, request.CallId, e);
            return NgReplies.Error(NgErrors.InternalError);
        }
    }

    /// <summary>
    /// A form of <paramref name="reply"/> (the reply to <paramref name="body"/>, null when it did not parse) that
    /// <paramref name="fits"/> accepts: the command handler's <see cref="INgCommandHandler.Trim"/>, else
    /// <see cref="NgReplies.ResultOnly"/>. Null when not even that fits (a cookie near the datagram size). Never throws.
    /// </summary>
    public BencodeDictionary? Trim(BencodeValue? body, BencodeDictionary reply, Func<BencodeDictionary, bool> fits)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(fits);
        var command = body is BencodeDictionary dictionary ? new NgRequest(dictionary).Command : null;
        if (command is not null && _handlers.TryGetValue(command, out var handler))
        {
            try
            {
                if (handler.Trim(reply, fits) is { } trimmed && fits(trimmed))
                {
                    return trimmed;
                }
            }
            catch (Exception e)
            {
                NgLog.HandlerFailed(_logger, command, (body as BencodeDictionary)?.GetString("call-id"), e);
            }
        }

        var minimal = NgReplies.ResultOnly(reply);
        return fits(minimal) ? minimal : null;
    }
}
