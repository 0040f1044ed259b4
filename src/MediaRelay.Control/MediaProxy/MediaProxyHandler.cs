using System.Collections.Concurrent;
using System.Net;
using System.Text;
using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;
using MediaRelay.Protocols.MediaProxy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Control.MediaProxy;

/// <summary>
/// Answers MediaProxy's protocol (docs/protocols/mediaproxy.md) over the session API: <c>update</c>, <c>remove</c>,
/// <c>summary</c> and <c>sessions</c>. MediaProxy's module says who sent an SDP (<c>type: request</c> is the From
/// party, <c>reply</c> the To party), not whether it offers or answers; the handler tells them apart by remembering
/// whose offer waits: an SDP from the other party answers it, any other SDP offers. So a late offer (SDP first in the
/// 200 OK, answer in the ACK) works as well as the usual INVITE/200. The proxy module rewrites the SDP itself from
/// the one-line reply. Every failure answers <c>error</c> and changes nothing. Threading: any thread.
/// </summary>
public sealed class MediaProxyHandler
{
    private readonly ISessionApi _sessions;
    private readonly IPAddress _relayAddress;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, MediaProxyCall> _calls = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _started;
    private readonly bool _countRequests;

    /// <summary>With <paramref name="countRequests"/> false, requests are not recorded in <see cref="ControlRequests"/> (they are not the proxies').</summary>
    public MediaProxyHandler(ISessionApi sessions, IPAddress relayAddress, TimeProvider? time = null, ILogger? logger = null,
        bool countRequests = true)
    {
        _countRequests = countRequests;
        _sessions = sessions;
        _relayAddress = relayAddress;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _started = _time.GetUtcNow();
        _sessions.SessionEnded += OnSessionEnded;
    }

    /// <summary>Raised when a call signalled through this protocol ends by a media timeout, with its dialog (to end it in the proxy).</summary>
    public event Action<MediaProxyDialogId, SessionStatistics>? MediaTimedOut;

    /// <summary>Calls this protocol knows about now.</summary>
    public int Calls => _calls.Count;

    /// <summary>Runs one framed request (its bytes, the empty line included) and returns the one-line reply.</summary>
    public byte[] Handle(ReadOnlySpan<byte> request)
    {
        var started = _countRequests ? ControlRequests.Start() : 0;
        var reply = Run(request, out var command);
        ControlRequests.Record("mediaproxy", command, started);
        return reply;
    }

    private byte[] Run(ReadOnlySpan<byte> request, out string command)
    {
        command = "malformed";
        if (!MediaProxyRequest.TryParse(request, out var parsed, out var error))
        {
            MediaProxyLog.Malformed(_logger, error ?? "unreadable");
            return Encoding.ASCII.GetBytes(MediaProxyReply.Error);
        }

        command = parsed!.Command switch
        {
            MediaProxyCommand.Update => "update",
            MediaProxyCommand.Remove => "remove",
            MediaProxyCommand.Summary => "summary",
            MediaProxyCommand.Sessions => "sessions",
            _ => "unknown",
        };
        try
        {
            return Encoding.UTF8.GetBytes(parsed.Command switch
            {
                MediaProxyCommand.Update => Update(parsed),
                MediaProxyCommand.Remove => Remove(parsed),
                MediaProxyCommand.Summary => Summary(),
                MediaProxyCommand.Sessions => Sessions(),
                _ => MediaProxyReply.Error,
            });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The boundary between the wire and the model: one bad request must not take the listener down.
            MediaProxyLog.Failed(_logger, parsed!.Command.ToString(), parsed.CallId, e);
            return Encoding.ASCII.GetBytes(MediaProxyReply.Error);
        }
    }

    private string Update(MediaProxyRequest request)
    {
        var callId = request.CallId!;
        var fromTag = request.FromTag;
        var toTag = request.ToTag;
        var fromReply = request.Type == MediaProxyMessageType.Reply;
        var sender = fromReply ? toTag : fromTag;
        var other = fromReply ? fromTag : toTag;
        if (string.IsNullOrEmpty(fromTag))
        {
            return MediaProxyReply.Error;
        }

        var call = _calls.GetOrAdd(callId, _ => new MediaProxyCall(request.FromUri ?? "unknown", request.ToUri ?? "unknown"));
        call.DialogId ??= request.DialogId;
        if (request.UserAgent is { } agent)
        {
            if (fromReply)
            {
                call.CalleeUserAgent = agent;
            }
            else
            {
                call.CallerUserAgent = agent;
            }
        }

        if (request.Media.Count == 0)
        {
            // A 200 OK without SDP: nothing to apply; the module ignores the answer.
            return _relayAddress + MediaProxyReply.LineEnd;
        }

        var signalling = request.SignalingIp?.Caller;
        var media = Describe(request.Media, signalling);
        // A provisional reply carries no to-tag yet: its SDP is the callee's early media, by an unnamed branch.
        sender = string.IsNullOrEmpty(sender) ? string.Empty : sender;
        IReadOnlyList<RelayedMedia> relayed;
        SessionError result;
        lock (call)
        {
            if (call.PendingOfferTag is { } offerer && offerer != sender)
            {
                // The answer to the waiting offer (a 183 then the 200 answer it twice: the sender's side again).
                result = _sessions.Answer(callId, offerer, sender, media, signalling, out relayed);
                if (result == SessionError.None && sender.Length > 0)
                {
                    call.PendingOfferTag = null;
                }
            }
            else
            {
                // media_relay names the relay to use (MediaProxy's dispatcher picks among relays by it): here, the
                // interface that has that address. An address the relay does not have is refused.
                var placement = MediaPlacement.Default;
                if (request.MediaRelay is { Length: > 0 } relayText)
                {
                    var name = IPAddress.TryParse(relayText, out var relayAddress) ? _sessions.InterfaceOf(relayAddress) : null;
                    if (name is null)
                    {
                        MediaProxyLog.Refused(_logger, callId, $"media_relay {relayText} is none of this relay's interface addresses");
                        return MediaProxyReply.Error;
                    }

                    placement = new MediaPlacement(name, name);
                }

                result = _sessions.Offer(callId, sender, string.IsNullOrEmpty(other) ? null : other, media, signalling, out relayed, placement);
                if (result == SessionError.None)
                {
                    call.PendingOfferTag = sender;
                }
            }
        }

        if (result != SessionError.None)
        {
            MediaProxyLog.Refused(_logger, callId, result.ToString());
            if (_sessions.Query(callId) is null)
            {
                _calls.TryRemove(callId, out _);
            }

            return MediaProxyReply.Error;
        }

        var ports = new int[relayed.Count];
        IPAddress? address = null;
        for (var i = 0; i < relayed.Count; i++)
        {
            ports[i] = relayed[i].RtpPort;
            if (address is null && ports[i] != 0)
            {
                address = relayed[i].Address;
            }
        }

        address ??= _relayAddress;
        return MediaProxyReply.FormatUpdate(address, ports);
    }

    private string Remove(MediaProxyRequest request)
    {
        var callId = request.CallId!;
        var statistics = _sessions.Remove(callId);
        _calls.TryRemove(callId, out _);
        return statistics is null ? MediaProxyReply.Error : MediaProxyReply.Removed;
    }

    private string Summary()
    {
        var streams = new Dictionary<string, int>(StringComparer.Ordinal);
        var calls = _sessions.Snapshot();
        foreach (var call in calls)
        {
            foreach (var stream in call.Streams)
            {
                if (stream.EndReason == EndReason.None)
                {
                    streams[stream.MediaType] = streams.GetValueOrDefault(stream.MediaType) + 1;
                }
            }
        }

        var uptime = (long)(_time.GetUtcNow() - _started).TotalSeconds;
        var summary = new MediaProxyRelaySummary(_relayAddress, MediaProxyStatistics.Version, _sessions.Draining ? "halting" : "active", uptime, calls.Count, streams, 0);
        return MediaProxyJson.FormatSummary([summary]);
    }

    private string Sessions()
    {
        var now = _time.GetUtcNow();
        var all = new List<MediaProxySessionStatistics>();
        foreach (var statistics in _sessions.Snapshot())
        {
            _calls.TryGetValue(statistics.CallId, out var call);
            all.Add(MediaProxyStatistics.From(statistics, call, now));
        }

        return MediaProxyJson.FormatSessions(all);
    }

    /// <summary>MediaProxy's streams as the session API's; a stream with a hostname takes the signalling address.</summary>
    private static List<MediaDescription> Describe(IReadOnlyList<MediaProxyMedia> streams, IPAddress? signalling)
    {
        var media = new List<MediaDescription>(streams.Count);
        foreach (var stream in streams)
        {
            var address = stream.Address ?? signalling ?? IPAddress.Any;
            var direction = stream.Direction switch
            {
                MediaProxyDirection.SendOnly => MediaDirection.SendOnly,
                MediaProxyDirection.RecvOnly => MediaDirection.RecvOnly,
                MediaProxyDirection.Inactive => MediaDirection.Inactive,
                _ => MediaDirection.SendRecv,
            };
            media.Add(new MediaDescription(stream.MediaType, address, stream.Port, direction, stream.Ice));
        }

        return media;
    }

    private void OnSessionEnded(SessionStatistics statistics)
    {
        if (!_calls.TryRemove(statistics.CallId, out var call))
        {
            return;
        }

        if (statistics.EndReason is EndReason.NoTrafficTimeout or EndReason.OnHoldTimeout or EndReason.KernelTimeout
            && call.DialogId is { } dialog)
        {
            MediaTimedOut?.Invoke(dialog, statistics);
        }
    }
}
