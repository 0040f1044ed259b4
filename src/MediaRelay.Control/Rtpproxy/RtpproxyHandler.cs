using System.Globalization;
using System.Net;
using System.Text;
using MediaRelay.Core.Api;
using MediaRelay.Protocols.Rtpproxy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRelay.Control.Rtpproxy;

/// <summary>
/// Answers rtpproxy's protocol (docs/protocols/rtpproxy.md) over the session API, as the proxies' <c>rtpproxy</c>
/// module speaks it: one m-line per <c>U</c> (offer) or <c>L</c> (answer), named by the <c>;medianum</c> of the tags;
/// <c>D</c> ends the call; <c>Q</c>, <c>I</c> and <c>G</c> report; <c>V</c>/<c>VF</c> tell the module what is
/// implemented. The first tag of U and L is the offerer's, the second the answerer's (the module swaps them for a
/// late offer). The proxy module rewrites the SDP itself from the reply <c>PORT ADDRESS</c>. Modifiers that change
/// the media (codecs, repacketisation, recording) are not implemented and say so through VF. With
/// <c>countRequests</c> false, commands are not recorded in <see cref="ControlRequests"/> (they are not the proxies':
/// the warm-up's at start). Threading: any thread.
/// </summary>
public sealed class RtpproxyHandler(ISessionApi sessions, TimeSpan streamTimeout, ILogger? logger = null, bool countRequests = true)
{
    /// <summary>Capability dates answered 1 to VF: the base protocol, several streams per call (medianum), VF, and Q.</summary>
    private static readonly HashSet<string> s_implemented = new(StringComparer.Ordinal)
    {
        RtpproxyFeatures.BaseVersion, RtpproxyFeatures.MultipleStreams, RtpproxyFeatures.VersionParameter, RtpproxyFeatures.Query,
    };

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Runs one command (with its cookie when <paramref name="hasCookie"/>) and returns the reply.</summary>
    public byte[] Handle(ReadOnlySpan<byte> datagram, bool hasCookie)
    {
        var started = countRequests ? ControlRequests.Start() : 0;
        var reply = Run(datagram, hasCookie, out var name);
        ControlRequests.Record("rtpproxy", name, started);
        return reply;
    }

    private byte[] Run(ReadOnlySpan<byte> datagram, bool hasCookie, out string name)
    {
        name = "malformed";
        if (!RtpproxyCommand.TryParse(datagram, hasCookie, out var command, out var error))
        {
            RtpproxyLog.Refused(_logger, error.Reason ?? error.Code.ToString(), (int)error.Code);
            return Encoding.ASCII.GetBytes(RtpproxyReply.Error(error));
        }

        name = Name(command!.Kind);
        try
        {
            return Encoding.UTF8.GetBytes(Run(command));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The boundary between the wire and the model: one bad command must not take the listener down.
            RtpproxyLog.Failed(_logger, command!.Kind.ToString(), command.CallId, e);
            return Encoding.ASCII.GetBytes(RtpproxyReply.Error(command.Cookie, RtpproxyErrorCode.Syntax));
        }
    }

    private string Run(RtpproxyCommand command)
    {
        var cookie = command.Cookie;
        switch (command.Kind)
        {
            case RtpproxyCommandKind.Version:
                return RtpproxyReply.Version(cookie);
            case RtpproxyCommandKind.VersionFeature:
                return RtpproxyReply.Feature(cookie, command.FeatureDate is { } date && s_implemented.Contains(date));
            case RtpproxyCommandKind.Update:
            case RtpproxyCommandKind.Lookup:
                return Update(command);
            case RtpproxyCommandKind.Delete:
                return sessions.Remove(command.CallId!) is null
                    ? RtpproxyReply.Error(cookie, RtpproxyErrorCode.SessionNotFound)
                    : RtpproxyReply.Ok(cookie);
            case RtpproxyCommandKind.Query:
                return Query(command);
            case RtpproxyCommandKind.Info:
                return Info(command);
            case RtpproxyCommandKind.GetStats:
                return Stats(command);
            default:
                RtpproxyLog.Unsupported(_logger, command.Kind.ToString(), command.CallId);
                return RtpproxyReply.Error(cookie, RtpproxyErrorCode.UnknownCommand);
        }
    }

    private string Update(RtpproxyCommand command)
    {
        var cookie = command.Cookie;
        var from = command.FromTag!.Value;
        var to = command.ToTag;
        var index = from.MediaNumber - 1;
        var media = new MediaDescription("audio", command.Address!, command.Port);
        SessionError result;
        RelayedMedia relayed;
        if (command.Kind == RtpproxyCommandKind.Update)
        {
            if (!TryPlace(command.UpdateModifiers, out var placement))
            {
                return RtpproxyReply.Error(cookie, RtpproxyErrorCode.LocalAddressUnusable);
            }

            result = sessions.OfferStream(command.CallId!, from.Value, to?.Value, index, media, null, out relayed, placement);
        }
        else
        {
            if (to is null)
            {
                return RtpproxyReply.Error(cookie, RtpproxyErrorCode.InvalidArgumentCount);
            }

            result = sessions.AnswerStream(command.CallId!, from.Value, to.Value.Value, index, media, null, out relayed);
        }

        switch (result)
        {
            case SessionError.None:
                return RtpproxyReply.Port(cookie, relayed.RtpPort, relayed.RtpPort == 0 ? null : relayed.Address);
            case SessionError.UnknownCall:
            case SessionError.TagMismatch:
                // rtpproxy answers a lookup of an unknown session with port 0: the module keeps the SDP as it is.
                return RtpproxyReply.Number(cookie, 0);
            case SessionError.OutOfPorts:
                return RtpproxyReply.Error(cookie, RtpproxyErrorCode.NewSessionPortAllocationFailed);
            case SessionError.Draining:
                return RtpproxyReply.Error(cookie, RtpproxyErrorCode.ShuttingDown);
            default:
                RtpproxyLog.Refused(_logger, result.ToString(), (int)RtpproxyErrorCode.Overloaded);
                return RtpproxyReply.Error(cookie, RtpproxyErrorCode.Overloaded);
        }
    }

    /// <summary>
    /// rtpproxy's bridging: <c>l</c>ADDRESS takes the interface holding that address for both sides; the <c>I</c> and
    /// <c>E</c> modifiers (rtpproxy's internal and external interfaces, offerer's side first) take the interfaces
    /// named "internal" and "external". False when the address or name is none of the relay's.
    /// </summary>
    private bool TryPlace(RtpproxyUpdateModifiers? modifiers, out MediaPlacement placement)
    {
        placement = MediaPlacement.Default;
        if (modifiers is null)
        {
            return true;
        }

        if (modifiers.LocalAddress is { } local)
        {
            var name = sessions.InterfaceOf(local);
            placement = new MediaPlacement(name, name);
            return name is not null;
        }

        if (modifiers.Directions.Count == 0)
        {
            return true;
        }

        var names = new string[modifiers.Directions.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = modifiers.Directions[i] == RtpproxyDirection.Internal ? "internal" : "external";
            if (!sessions.InterfaceNames.Contains(names[i]))
            {
                return false;
            }
        }

        placement = new MediaPlacement(names[0], names.Length > 1 ? names[1] : names[0]);
        return true;
    }

    private string Query(RtpproxyCommand command)
    {
        var call = sessions.Query(command.CallId!);
        if (call is null)
        {
            return RtpproxyReply.Error(command.Cookie, RtpproxyErrorCode.SessionNotFound);
        }

        long fromCaller = 0, fromCallee = 0, dropped = 0;
        foreach (var stream in call.Streams)
        {
            fromCaller += stream.Caller.Rtp.TotalPackets + stream.Caller.Rtcp.TotalPackets;
            fromCallee += stream.Callee.Rtp.TotalPackets + stream.Callee.Rtcp.TotalPackets;
            dropped += stream.Caller.Rtp.Errors + stream.Caller.Rtcp.Errors + stream.Callee.Rtp.Errors + stream.Callee.Rtcp.Errors;
        }

        // "This" side is the from-tag's party as the command names it.
        var fromIsCaller = command.FromTag is not { } tag || tag.Value == call.CallerTag;
        var inThis = (ulong)(fromIsCaller ? fromCaller : fromCallee);
        var inOther = (ulong)(fromIsCaller ? fromCallee : fromCaller);
        var ttl = (int)streamTimeout.TotalSeconds;
        if (command.StatNames.Count == 0)
        {
            return RtpproxyReply.Query(command.Cookie, ttl, inThis, inOther, inThis + inOther, (ulong)dropped, command.Verbose);
        }

        var values = new List<KeyValuePair<string, string>>(command.StatNames.Count);
        foreach (var name in command.StatNames)
        {
            string? value = name switch
            {
                "ttl" => ttl.ToString(CultureInfo.InvariantCulture),
                "npkts_ina" => inThis.ToString(CultureInfo.InvariantCulture),
                "npkts_ino" => inOther.ToString(CultureInfo.InvariantCulture),
                "nrelayed" => (inThis + inOther).ToString(CultureInfo.InvariantCulture),
                "ndropped" => dropped.ToString(CultureInfo.InvariantCulture),
                _ => null,
            };
            if (value is null)
            {
                return RtpproxyReply.Error(command.Cookie, RtpproxyErrorCode.QueryFailed);
            }

            values.Add(new(name, value));
        }

        return RtpproxyReply.Values(command.Cookie, values, command.Verbose);
    }

    private string Info(RtpproxyCommand command)
    {
        var totals = sessions.Totals;
        long streams = 0, packets = 0;
        if (!command.Brief)
        {
            foreach (var call in sessions.Snapshot())
            {
                foreach (var stream in call.Streams)
                {
                    streams += stream.EndReason == EndReason.None ? 1 : 0;
                    packets += stream.Caller.Rtp.TotalPackets + stream.Callee.Rtp.TotalPackets + stream.Caller.Rtcp.TotalPackets + stream.Callee.Rtcp.TotalPackets;
                }
            }
        }

        return RtpproxyReply.Info(command.Cookie, (ulong)totals.SessionsCreated, totals.CurrentSessions, streams,
            (ulong)packets, (ulong)packets, command.Load ? 0.0 : null);
    }

    private string Stats(RtpproxyCommand command)
    {
        var totals = sessions.Totals;
        var values = new List<KeyValuePair<string, string>>();
        foreach (var name in command.StatNames)
        {
            long? value = name switch
            {
                "nsess_created" => totals.SessionsCreated,
                "nsess_destroyed" => totals.SessionsEnded,
                "nsess_timeout" => totals.SessionsTimedOut,
                "nsess_active" or "active_sessions" => totals.CurrentSessions,
                _ => null,
            };
            if (value is null)
            {
                return RtpproxyReply.Error(command.Cookie, RtpproxyErrorCode.StatsFailed);
            }

            values.Add(new(name, value.Value.ToString(CultureInfo.InvariantCulture)));
        }

        return RtpproxyReply.Values(command.Cookie, values, command.Verbose);
    }

    /// <summary>The command's letter as the protocol spells it, for the request metrics.</summary>
    private static string Name(RtpproxyCommandKind kind) => kind switch
    {
        RtpproxyCommandKind.Version => "V",
        RtpproxyCommandKind.VersionFeature => "VF",
        RtpproxyCommandKind.Update => "U",
        RtpproxyCommandKind.Lookup => "L",
        RtpproxyCommandKind.Delete => "D",
        RtpproxyCommandKind.Query => "Q",
        RtpproxyCommandKind.Info => "I",
        RtpproxyCommandKind.GetStats => "G",
        RtpproxyCommandKind.DeleteAll => "X",
        RtpproxyCommandKind.Play => "P",
        RtpproxyCommandKind.NoPlay => "S",
        RtpproxyCommandKind.Record => "R",
        RtpproxyCommandKind.Copy => "C",
        RtpproxyCommandKind.NoRecord => "N",
        _ => "unknown",
    };
}
