using System.Buffers.Binary;
using System.Net;

namespace MediaRelay.Accounting.Wire;

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
