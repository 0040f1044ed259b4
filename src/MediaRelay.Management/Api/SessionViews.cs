using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;

namespace MediaRelay.Management.Api;

/// <summary>The session API's statistics in the management API's shape. Pure.</summary>
public static class SessionViews
{
    public static SessionView From(SessionStatistics call, DateTimeOffset now)
    {
        var streams = new List<StreamView>(call.Streams.Count);
        foreach (var stream in call.Streams)
        {
            streams.Add(From(stream));
        }

        return new SessionView(
            call.CallId,
            call.CallerTag,
            call.CalleeTag,
            call.Created,
            call.LastSignal,
            call.Ended,
            Math.Round(call.Duration(now).TotalSeconds, 3),
            call.EndReason == EndReason.None ? "active" : call.EndReason.ToText(),
            call.TimeoutWait.TotalSeconds,
            call.TotalPackets,
            call.TotalBytes,
            call.TotalErrors,
            call.KernelPackets,
            streams);
    }

    private static StreamView From(StreamStatistics stream)
    {
        var state = stream.EndReason != EndReason.None ? stream.EndReason.ToText() : stream.OnHold ? "on hold" : "active";
        return new StreamView(
            stream.Index,
            stream.MediaType,
            stream.Codec,
            stream.Protocol,
            state,
            stream.Caller.Rtp.LearnedRemote is not null && stream.Callee.Rtp.LearnedRemote is not null,
            stream.OnHold,
            stream.KernelDirections > 0 ? "kernel" : "userspace",
            stream.KernelDirections,
            stream.FirstMedia,
            From(stream.Caller),
            From(stream.Callee));
    }

    private static PartyView From(PartyStatistics party) => new(
        party.Tag,
        party.Direction switch
        {
            MediaDirection.SendOnly => "sendonly",
            MediaDirection.RecvOnly => "recvonly",
            MediaDirection.Inactive => "inactive",
            _ => "sendrecv",
        },
        party.Interface,
        party.Advertised?.ToString(),
        From(party.Rtp),
        From(party.Rtcp));

    private static FlowView From(SubPartyStatistics side) => new(
        Text(side.Local)!,
        Text(side.LearnedRemote),
        Text(side.SdpRemote),
        side.TotalPackets,
        side.TotalBytes,
        side.Errors,
        side.StunPackets,
        side.KernelPackets,
        side.KernelBytes);

    private static string? Text(IPEndPoint? endPoint)
    {
        if (endPoint is null)
        {
            return null;
        }

        return endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port).ToString() : endPoint.ToString();
    }
}
