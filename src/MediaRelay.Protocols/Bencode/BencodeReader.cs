using System.Text;

namespace MediaRelay.Protocols.Bencode;

/// <summary>
/// Parses bencode (the BitTorrent encoding that rtpengine's ng protocol uses): <c>i42e</c>, <c>4:spam</c>,
/// <c>l...e</c>, <c>d...e</c>. Strict where strictness costs nothing: no leading zeros in integers or lengths,
/// no <c>i-0e</c>, integers must fit 64 bits, dictionary keys must be strings. Dictionary keys need not be sorted
/// (rtpengine does not sort). Never throws on wire input; a length prefix larger than the remaining input is
/// rejected before anything is allocated. Threading: stateless, safe from any thread.
/// </summary>
public static class BencodeReader
{
    /// <summary>Deepest nesting of lists and dictionaries accepted. ng messages nest three or four levels.</summary>
    public const int MaxDepth = 64;

    /// <summary>Parses exactly one value that must span the whole input.</summary>
    public static bool TryParse(ReadOnlySpan<byte> input, out BencodeValue? value, out string? error)
    {
        var cursor = new Cursor(input);
        if (!cursor.TryReadValue(0, out value, out error))
        {
            value = null;
            return false;
        }

        if (cursor.Position != input.Length)
        {
            value = null;
            error = $"trailing data at offset {cursor.Position}";
            return false;
        }

        error = null;
        return true;
    }

    private ref struct Cursor(ReadOnlySpan<byte> input)
    {
        private readonly ReadOnlySpan<byte> _input = input;

        public int Position { get; private set; }

        public bool TryReadValue(int depth, out BencodeValue? value, out string? error)
        {
            value = null;
            if (Position >= _input.Length)
            {
                error = "unexpected end of input";
                return false;
            }

            switch (_input[Position])
            {
                case (byte)'i':
                    Position++;
                    if (!TryReadInteger((byte)'e', out var number, out error))
                    {
                        return false;
                    }

                    value = new BencodeInteger(number);
                    return true;
                case (byte)'l':
                    return TryReadList(depth, out value, out error);
                case (byte)'d':
                    return TryReadDictionary(depth, out value, out error);
                case >= (byte)'0' and <= (byte)'9':
                    if (!TryReadString(out var bytes, out error))
                    {
                        return false;
                    }

                    value = new BencodeString(bytes);
                    return true;
                default:
                    error = $"unexpected byte 0x{_input[Position]:x2} at offset {Position}";
                    return false;
            }
        }

        private bool TryReadList(int depth, out BencodeValue? value, out string? error)
        {
            value = null;
            if (depth >= MaxDepth)
            {
                error = "nesting too deep";
                return false;
            }

            Position++;
            var list = new BencodeList();
            while (true)
            {
                if (Position >= _input.Length)
                {
                    error = "unterminated list";
                    return false;
                }

                if (_input[Position] == (byte)'e')
                {
                    Position++;
                    value = list;
                    error = null;
                    return true;
                }

                if (!TryReadValue(depth + 1, out var item, out error))
                {
                    return false;
                }

                list.Items.Add(item!);
            }
        }

        private bool TryReadDictionary(int depth, out BencodeValue? value, out string? error)
        {
            value = null;
            if (depth >= MaxDepth)
            {
                error = "nesting too deep";
                return false;
            }

            Position++;
            var dictionary = new BencodeDictionary();
            while (true)
            {
                if (Position >= _input.Length)
                {
                    error = "unterminated dictionary";
                    return false;
                }

                var next = _input[Position];
                if (next == (byte)'e')
                {
                    Position++;
                    value = dictionary;
                    error = null;
                    return true;
                }

                if (next is < (byte)'0' or > (byte)'9')
                {
                    error = $"dictionary key is not a string at offset {Position}";
                    return false;
                }

                if (!TryReadString(out var key, out error) || !TryReadValue(depth + 1, out var item, out error))
                {
                    return false;
                }

                // A repeated key keeps its first position and takes the last value.
                dictionary.Set(Encoding.UTF8.GetString(key), item!);
            }
        }

        private bool TryReadString(out ReadOnlySpan<byte> bytes, out string? error)
        {
            bytes = default;
            if (!TryReadInteger((byte)':', out var length, out error))
            {
                return false;
            }

            if (length < 0)
            {
                error = "negative string length";
                return false;
            }

            if (length > _input.Length - Position)
            {
                error = $"string length {length} exceeds the input";
                return false;
            }

            bytes = _input.Slice(Position, (int)length);
            Position += (int)length;
            return true;
        }

        /// <summary>Reads a decimal integer up to the terminator (consumed). Rejects "", "-", "-0", leading zeros, overflow.</summary>
        private bool TryReadInteger(byte terminator, out long value, out string? error)
        {
            value = 0;
            var start = Position;
            var negative = false;
            if (Position < _input.Length && _input[Position] == (byte)'-')
            {
                negative = true;
                Position++;
            }

            var digitsStart = Position;
            // Magnitude limit: long.MaxValue, or one more for long.MinValue.
            var limit = negative ? (ulong)long.MaxValue + 1 : long.MaxValue;
            ulong magnitude = 0;
            while (Position < _input.Length && _input[Position] is >= (byte)'0' and <= (byte)'9')
            {
                var digit = (ulong)(_input[Position] - (byte)'0');
                if (magnitude > (limit - digit) / 10)
                {
                    error = $"integer out of range at offset {start}";
                    return false;
                }

                magnitude = magnitude * 10 + digit;
                Position++;
            }

            var digitCount = Position - digitsStart;
            if (Position >= _input.Length)
            {
                error = "unexpected end of input in integer";
                return false;
            }

            if (_input[Position] != terminator || digitCount == 0)
            {
                error = $"malformed integer at offset {start}";
                return false;
            }

            if (digitCount > 1 && _input[digitsStart] == (byte)'0')
            {
                error = $"leading zero at offset {start}";
                return false;
            }

            if (negative && magnitude == 0)
            {
                error = $"negative zero at offset {start}";
                return false;
            }

            Position++;
            value = negative ? unchecked((long)(0 - magnitude)) : (long)magnitude;
            error = null;
            return true;
        }
    }
}
