using System.Buffers;

namespace MediaRelay.Accounting.Wire;

/// <summary>
/// Accounting records as the relay hands them to its store worker: a compact binary form, written field by field
/// with no intermediate object (the info JSON goes as the UTF-8 bytes the serializer made) and read back into equal
/// records. Both ends are the same build (the relay starts the worker from its own executable), so the form has no
/// version of its own; a reader that finds it cut short or out of bounds returns false and never throws.
/// The primitives are <see cref="WireWriter"/>'s.
/// </summary>
internal static class RecordCodec
{
    public static void Write(IBufferWriter<byte> output, AccountingRecord record)
    {
        WireWriter.String(output, record.RecordId);
        WireWriter.String(output, record.Node);
        WireWriter.String(output, record.CallId);
        WireWriter.String(output, record.FromTag);
        WireWriter.String(output, record.ToTag);
        WireWriter.String(output, record.FromUri);
        WireWriter.String(output, record.ToUri);
        WireWriter.Time(output, record.StartTime);
        WireWriter.Time(output, record.EndTime);
        WireWriter.Double(output, record.Duration);
        WireWriter.String(output, record.EndReason);
        WireWriter.Double(output, record.TimeoutWait);
        WireWriter.Int32(output, record.Streams);
        WireWriter.Int64(output, record.Packets);
        WireWriter.Int64(output, record.Bytes);
        WireWriter.Int64(output, record.Errors);
        WireWriter.Int64(output, record.KernelPackets);
        WireWriter.Bytes(output, record.InfoUtf8.Bytes);
        WireWriter.Int32(output, record.Directions.Count);
        foreach (var direction in record.Directions)
        {
            Write(output, direction);
        }
    }

    private static void Write(IBufferWriter<byte> output, DirectionRecord d)
    {
        WireWriter.Int32(output, d.StreamIndex);
        WireWriter.String(output, d.Direction);
        WireWriter.String(output, d.MediaType);
        WireWriter.String(output, d.Codec);
        WireWriter.String(output, d.Protocol);
        WireWriter.String(output, d.SourceTag);
        WireWriter.String(output, d.SourceLearned);
        WireWriter.String(output, d.SourceSdp);
        WireWriter.String(output, d.RelayIn);
        WireWriter.String(output, d.RelayOut);
        WireWriter.String(output, d.Destination);
        WireWriter.String(output, d.InterfaceIn);
        WireWriter.String(output, d.InterfaceOut);
        WireWriter.Int64(output, d.RtpPackets);
        WireWriter.Int64(output, d.RtpBytes);
        WireWriter.Int64(output, d.RtpUserPackets);
        WireWriter.Int64(output, d.RtpUserBytes);
        WireWriter.Int64(output, d.RtpKernelPackets);
        WireWriter.Int64(output, d.RtpKernelBytes);
        WireWriter.Int64(output, d.RtpErrors);
        WireWriter.Int64(output, d.RtcpPackets);
        WireWriter.Int64(output, d.RtcpBytes);
        WireWriter.Int64(output, d.RtcpUserPackets);
        WireWriter.Int64(output, d.RtcpUserBytes);
        WireWriter.Int64(output, d.RtcpKernelPackets);
        WireWriter.Int64(output, d.RtcpKernelBytes);
        WireWriter.Int64(output, d.RtcpErrors);
        WireWriter.Int64(output, d.Ssrc);
        WireWriter.Int64(output, d.PacketsLost);
        WireWriter.Double(output, d.LossPercent);
        WireWriter.Double(output, d.JitterMs);
        WireWriter.Double(output, d.Mos);
    }

    /// <summary>Reads one record from the front of <paramref name="input"/> and moves past it; false when it is not one.</summary>
    public static bool TryRead(ref ReadOnlySpan<byte> input, out AccountingRecord record)
    {
        record = null!;
        var r = new WireReader(input);
        var recordId = r.String();
        var node = r.String();
        var callId = r.String();
        var fromTag = r.String();
        var toTag = r.String();
        var fromUri = r.String();
        var toUri = r.String();
        var start = r.Time();
        var end = r.Time();
        var duration = r.Double();
        var endReason = r.String();
        var timeoutWait = r.Double();
        var streams = r.Int32();
        var packets = r.Int64();
        var bytes = r.Int64();
        var errors = r.Int64();
        var kernelPackets = r.Int64();
        var info = r.Bytes();
        var count = r.Int32();
        if (!r.Ok || recordId is null || node is null || callId is null || endReason is null || info is null || count < 0 || count > r.Left)
        {
            return false;
        }

        var directions = new List<DirectionRecord>(count);
        for (var i = 0; i < count; i++)
        {
            if (!TryRead(ref r, out var direction))
            {
                return false;
            }

            directions.Add(direction);
        }

        record = new AccountingRecord
        {
            RecordId = recordId,
            Node = node,
            CallId = callId,
            FromTag = fromTag,
            ToTag = toTag,
            FromUri = fromUri,
            ToUri = toUri,
            StartTime = start,
            EndTime = end,
            Duration = duration,
            EndReason = endReason,
            TimeoutWait = timeoutWait,
            Streams = streams,
            Packets = packets,
            Bytes = bytes,
            Errors = errors,
            KernelPackets = kernelPackets,
            InfoUtf8 = new Utf8Json(info),
            Directions = directions,
        };
        input = input[r.Position..];
        return true;
    }

    private static bool TryRead(ref WireReader r, out DirectionRecord direction)
    {
        direction = null!;
        var index = r.Int32();
        var name = r.String();
        var mediaType = r.String();
        var d = new DirectionRecord
        {
            StreamIndex = index,
            Direction = name ?? "",
            MediaType = mediaType ?? "",
            Codec = r.String(),
            Protocol = r.String(),
            SourceTag = r.String(),
            SourceLearned = r.String(),
            SourceSdp = r.String(),
            RelayIn = r.String(),
            RelayOut = r.String(),
            Destination = r.String(),
            InterfaceIn = r.String(),
            InterfaceOut = r.String(),
            RtpPackets = r.Int64(),
            RtpBytes = r.Int64(),
            RtpUserPackets = r.Int64(),
            RtpUserBytes = r.Int64(),
            RtpKernelPackets = r.Int64(),
            RtpKernelBytes = r.Int64(),
            RtpErrors = r.Int64(),
            RtcpPackets = r.Int64(),
            RtcpBytes = r.Int64(),
            RtcpUserPackets = r.Int64(),
            RtcpUserBytes = r.Int64(),
            RtcpKernelPackets = r.Int64(),
            RtcpKernelBytes = r.Int64(),
            RtcpErrors = r.Int64(),
            Ssrc = r.Int64(),
            PacketsLost = r.Int64(),
            LossPercent = r.Double(),
            JitterMs = r.Double(),
        };
        var mos = r.OptionalDouble();
        if (!r.Ok || name is null || mediaType is null)
        {
            return false;
        }

        direction = mos is null ? d : d with { Mos = mos };
        return true;
    }
}
