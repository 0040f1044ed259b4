using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MediaRelay.Accounting.Wire;

/// <summary>
/// The primitives of the accounting's binary forms (<see cref="RecordCodec"/>, <see cref="CallCodec"/>), written
/// straight into a buffer: integers little-endian; strings as a 32-bit length (-1 for null) and UTF-8; times as UTC
/// ticks and the offset in minutes; optional values behind a 0/1 byte; addresses as their family (0 for none, 4, 6),
/// bytes and, for IPv6, the scope id. <see cref="WireReader"/> reads them back.
/// </summary>
internal static class WireWriter
{
    public static void String(IBufferWriter<byte> output, string? text)
    {
        if (text is null)
        {
            Int32(output, -1);
            return;
        }

        var span = output.GetSpan(4 + Encoding.UTF8.GetMaxByteCount(text.Length));
        var length = Encoding.UTF8.GetBytes(text, span[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        output.Advance(4 + length);
    }

    public static void Bytes(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        Int32(output, bytes.Length);
        output.Write(bytes);
    }

    public static void Time(IBufferWriter<byte> output, DateTimeOffset time)
    {
        Int64(output, time.UtcTicks);
        Int32(output, (int)time.Offset.TotalMinutes);
    }

    public static void Time(IBufferWriter<byte> output, DateTimeOffset? time)
    {
        Byte(output, time.HasValue ? (byte)1 : (byte)0);
        if (time is { } value)
        {
            Time(output, value);
        }
    }

    public static void Byte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    public static void Int32(IBufferWriter<byte> output, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    public static void Int64(IBufferWriter<byte> output, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    public static void Double(IBufferWriter<byte> output, double value) => Int64(output, BitConverter.DoubleToInt64Bits(value));

    public static void Double(IBufferWriter<byte> output, double? value)
    {
        Byte(output, value.HasValue ? (byte)1 : (byte)0);
        Double(output, value ?? 0);
    }

    public static void Guid(IBufferWriter<byte> output, Guid value)
    {
        value.TryWriteBytes(output.GetSpan(16));
        output.Advance(16);
    }

    public static void Address(IBufferWriter<byte> output, IPAddress? address)
    {
        if (address is null)
        {
            Byte(output, 0);
            return;
        }

        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        Byte(output, v6 ? (byte)6 : (byte)4);
        var span = output.GetSpan(16);
        address.TryWriteBytes(span, out var written);
        output.Advance(written);
        if (v6)
        {
            Int64(output, address.ScopeId);
        }
    }

    public static void EndPoint(IBufferWriter<byte> output, IPEndPoint? endPoint)
    {
        Address(output, endPoint?.Address);
        if (endPoint is not null)
        {
            Int32(output, endPoint.Port);
        }
    }
}
