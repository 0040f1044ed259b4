using System.Buffers;
using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;

namespace MediaRelay.Accounting.Wire;

/// <summary>
/// An ended call's final statistics, and the id its record will have, as bytes: the form in which a call waits in
/// the accounting queue (outside the garbage-collected heap, so that a writer or worker running behind never makes
/// the relay's collections promote and copy thousands of statistics objects) and in which it goes to the accounting
/// worker, which builds the record itself. Read back, the statistics are equal to those written, and so is the
/// record built from them. The primitives are <see cref="WireWriter"/>'s; a reader never throws.
/// </summary>
internal static class CallCodec
{
    public static void Write(IBufferWriter<byte> output, Guid recordId, SessionStatistics call)
    {
        WireWriter.Guid(output, recordId);
        WireWriter.String(output, call.CallId);
        WireWriter.String(output, call.CallerTag);
        WireWriter.String(output, call.CalleeTag);
        WireWriter.Time(output, call.Created);
        WireWriter.Time(output, call.Ended);
        WireWriter.Int32(output, (int)call.EndReason);
        WireWriter.Int64(output, call.TimeoutWait.Ticks);
        WireWriter.Time(output, call.LastSignal);
        WireWriter.String(output, call.FromUri);
        WireWriter.String(output, call.ToUri);
        WireWriter.Int32(output, call.Streams.Count);
        foreach (var stream in call.Streams)
        {
            WireWriter.Int32(output, stream.Index);
            WireWriter.String(output, stream.MediaType);
            WireWriter.String(output, stream.Codec);
            WireWriter.Time(output, stream.FirstMedia);
            WireWriter.Int32(output, (int)stream.EndReason);
            WireWriter.Int64(output, stream.TimeoutWait.Ticks);
            WireWriter.String(output, stream.Protocol);
            WireWriter.Byte(output, stream.OnHold ? (byte)1 : (byte)0);
            WireWriter.Int32(output, stream.KernelDirections);
            Write(output, stream.Caller);
            Write(output, stream.Callee);
        }
    }

    private static void Write(IBufferWriter<byte> output, PartyStatistics party)
    {
        WireWriter.Int32(output, (int)party.Role);
        WireWriter.String(output, party.Tag);
        WireWriter.Int32(output, (int)party.Direction);
        WireWriter.String(output, party.Interface);
        WireWriter.Address(output, party.Advertised);
        Write(output, party.Rtp);
        Write(output, party.Rtcp);
        var q = party.Quality;
        WireWriter.Int64(output, q.Ssrc);
        WireWriter.Int64(output, q.PacketsExpected);
        WireWriter.Int64(output, q.PacketsLost);
        WireWriter.Double(output, q.LossPercent);
        WireWriter.Double(output, q.JitterMilliseconds);
        WireWriter.Double(output, q.ReportedLossPercent);
        WireWriter.Int64(output, q.ReportedCumulativeLost);
        WireWriter.Double(output, q.ReportedJitterMilliseconds);
        WireWriter.Double(output, q.RoundTripMilliseconds);
        WireWriter.Double(output, q.Mos);
    }

    private static void Write(IBufferWriter<byte> output, SubPartyStatistics side)
    {
        WireWriter.EndPoint(output, side.Local);
        WireWriter.EndPoint(output, side.LearnedRemote);
        WireWriter.EndPoint(output, side.SdpRemote);
        WireWriter.Int64(output, side.Packets);
        WireWriter.Int64(output, side.Bytes);
        WireWriter.Int64(output, side.Errors);
        WireWriter.Int64(output, side.StunPackets);
        WireWriter.Int64(output, side.KernelPackets);
        WireWriter.Int64(output, side.KernelBytes);
    }

    /// <summary>Reads one call from <paramref name="input"/>, which must hold it and nothing else; false when it is not one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> input, out Guid recordId, out SessionStatistics call)
    {
        call = null!;
        var r = new WireReader(input);
        recordId = r.Guid();
        var callId = r.String();
        var callerTag = r.String();
        var calleeTag = r.String();
        var created = r.Time();
        var ended = r.OptionalTime();
        var endReason = Reason(ref r);
        var timeoutWait = Span(ref r);
        var lastSignal = r.OptionalTime();
        var fromUri = r.String();
        var toUri = r.String();
        var count = r.Int32();
        if (!r.Ok || callId is null || count < 0 || count > r.Left)
        {
            return false;
        }

        var streams = new StreamStatistics[count];
        for (var i = 0; i < count; i++)
        {
            var index = r.Int32();
            var mediaType = r.String();
            var codec = r.String();
            var firstMedia = r.OptionalTime();
            var reason = Reason(ref r);
            var wait = Span(ref r);
            var protocol = r.String();
            var onHold = r.Flag();
            var kernel = r.Int32();
            var caller = Party(ref r);
            var callee = Party(ref r);
            if (!r.Ok || mediaType is null || protocol is null || caller is null || callee is null)
            {
                return false;
            }

            streams[i] = new StreamStatistics(index, mediaType, codec, firstMedia, reason, wait, caller, callee)
            {
                Protocol = protocol,
                OnHold = onHold,
                KernelDirections = kernel,
            };
        }

        if (!r.Ok || r.Left != 0)
        {
            return false;
        }

        call = new SessionStatistics(callId, callerTag, calleeTag, created, ended, endReason, timeoutWait, streams)
        {
            LastSignal = lastSignal,
            FromUri = fromUri,
            ToUri = toUri,
        };
        return true;
    }

    private static PartyStatistics? Party(ref WireReader r)
    {
        var role = r.Int32();
        var tag = r.String();
        var direction = r.Int32();
        var name = r.String();
        var advertised = r.Address();
        var rtp = Side(ref r);
        var rtcp = Side(ref r);
        var ssrc = r.Int64();
        var quality = new QualityStatistics(
            (uint)ssrc, r.Int64(), r.Int64(), r.Double(), r.Double(), r.OptionalDouble(), r.Int64(), r.OptionalDouble(), r.OptionalDouble(), r.OptionalDouble());
        if (!r.Ok || name is null || rtp is null || rtcp is null || ssrc is < 0 or > uint.MaxValue
            || !Enum.IsDefined((PartyRole)role) || !Enum.IsDefined((MediaDirection)direction))
        {
            r.Fail();
            return null;
        }

        return new PartyStatistics((PartyRole)role, tag, (MediaDirection)direction, rtp, rtcp)
        {
            Interface = name,
            Advertised = advertised,
            Quality = quality,
        };
    }

    private static SubPartyStatistics? Side(ref WireReader r)
    {
        var local = r.EndPoint();
        var learned = r.EndPoint();
        var sdp = r.EndPoint();
        var side = new SubPartyStatistics(local!, learned, sdp, r.Int64(), r.Int64(), r.Int64(), r.Int64(), r.Int64(), r.Int64());
        if (!r.Ok || local is null)
        {
            r.Fail();
            return null;
        }

        return side;
    }

    private static EndReason Reason(ref WireReader r)
    {
        var reason = (EndReason)r.Int32();
        if (!Enum.IsDefined(reason))
        {
            r.Fail();
        }

        return reason;
    }

    private static TimeSpan Span(ref WireReader r)
    {
        var ticks = r.Int64();
        return TimeSpan.FromTicks(ticks);
    }
}
