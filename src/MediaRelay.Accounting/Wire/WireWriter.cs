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

/// <summary>Reads what <see cref="WireWriter"/> wrote, in order; once a field does not fit or is out of range, <see cref="Ok"/> turns false and every later field reads as empty. Never throws.</summary>
internal ref struct WireReader(ReadOnlySpan<byte> input)
{
    private readonly ReadOnlySpan<byte> _input = input;

    public int Position { get; private set; }

    public bool Ok { get; private set; } = true;

    public readonly int Left => _input.Length - Position;

    /// <summary>Marks the input as not what was expected (a value out of range).</summary>
    public void Fail() => Ok = false;

    /// <summary>The next <paramref name="length"/> bytes as they are.</summary>
    public ReadOnlySpan<byte> Take(int length)
    {
        if (!Ok || length < 0 || length > Left)
        {
            Ok = false;
            return default;
        }

        var span = _input.Slice(Position, length);
        Position += length;
        return span;
    }

    public byte Byte()
    {
        var span = Take(1);
        return Ok ? span[0] : (byte)0;
    }

    public bool Flag()
    {
        var value = Byte();
        if (value > 1)
        {
            Ok = false;
        }

        return value == 1;
    }

    public int Int32()
    {
        var span = Take(4);
        return Ok ? BinaryPrimitives.ReadInt32LittleEndian(span) : 0;
    }

    public long Int64()
    {
        var span = Take(8);
        return Ok ? BinaryPrimitives.ReadInt64LittleEndian(span) : 0;
    }

    public double Double() => BitConverter.Int64BitsToDouble(Int64());

    public double? OptionalDouble()
    {
        var has = Flag();
        var value = Double();
        return has ? value : null;
    }

    public Guid Guid()
    {
        var span = Take(16);
        return Ok ? new Guid(span) : default;
    }

    public DateTimeOffset Time()
    {
        var ticks = Int64();
        var minutes = Int32();
        if (!Ok || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks || minutes is < -14 * 60 or > 14 * 60)
        {
            Ok = false;
            return default;
        }

        var offset = TimeSpan.FromMinutes(minutes);
        var local = ticks + offset.Ticks;
        if (local < DateTime.MinValue.Ticks || local > DateTime.MaxValue.Ticks)
        {
            Ok = false;
            return default;
        }

        return new DateTimeOffset(local, offset);
    }

    public DateTimeOffset? OptionalTime() => Flag() ? Time() : null;

    public string? String()
    {
        var length = Int32();
        if (!Ok || length == -1)
        {
            return null;
        }

        var span = Take(length);
        return Ok ? System.Text.Encoding.UTF8.GetString(span) : null;
    }

    public byte[]? Bytes()
    {
        var length = Int32();
        var span = Take(length);
        return Ok ? span.ToArray() : null;
    }

    public IPAddress? Address()
    {
        var family = Byte();
        switch (family)
        {
            case 0:
                return null;
            case 4:
                var v4 = Take(4);
                return Ok ? new IPAddress(v4) : null;
            case 6:
                var v6 = Take(16);
                var scope = Int64();
                if (!Ok || scope < 0 || scope > uint.MaxValue)
                {
                    Ok = false;
                    return null;
                }

                return new IPAddress(v6, scope);
            default:
                Ok = false;
                return null;
        }
    }

    public IPEndPoint? EndPoint()
    {
        var address = Address();
        if (address is null)
        {
            return null;
        }

        var port = Int32();
        if (!Ok || port is < IPEndPoint.MinPort or > IPEndPoint.MaxPort)
        {
            Ok = false;
            return null;
        }

        return new IPEndPoint(address, port);
    }
}
