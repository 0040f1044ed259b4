using System.Buffers.Binary;
using System.Text;

namespace MediaRelay.Accounting.Storage.Worker;

/// <summary>
/// The frames between the relay and its accounting store worker, over the worker's standard input (requests) and
/// standard output (replies): one byte saying what it is, the payload's length (32 bits, little-endian), the payload.
/// One request at a time; every request gets one reply.
/// </summary>
internal static class WorkerFrames
{
    /// <summary>
    /// Request: open the store (connect, create or migrate the schema). Payload: the relay's <see cref="BuildId"/>,
    /// which must be the worker's. Reply <see cref="Ok"/> carries the schema version found.
    /// </summary>
    public const byte Open = (byte)'O';

    /// <summary>Request: write records in one transaction (the spool's, replayed). Payload: the record count, then the records (<see cref="Wire.RecordCodec"/>).</summary>
    public const byte Write = (byte)'W';

    /// <summary>
    /// Request: build the records of ended calls and write them in one transaction. Payload: the relay's node name,
    /// the time to take as the end of a call without one, the call count, then each call (<see cref="Wire.CallCodec"/>)
    /// with its length before it.
    /// </summary>
    public const byte WriteCalls = (byte)'C';

    /// <summary>Request: drop the connection after a failure.</summary>
    public const byte Reset = (byte)'R';

    public const byte Ok = (byte)'K';

    /// <summary>Reply: the request failed. Payload: the reason and the advice (UTF-8, a zero byte between them).</summary>
    public const byte Error = (byte)'E';

    public const int HeaderLength = 5;

    /// <summary>
    /// This build of the accounting code. The worker is the relay's executable started again by its path: after an
    /// upgrade that replaced the file under a running relay, it would be another build, whose forms may differ.
    /// </summary>
    public static Guid BuildId { get; } = typeof(WorkerFrames).Assembly.ManifestModule.ModuleVersionId;

    /// <summary>The largest payload either side takes; a batch of 500 one-stream records is about 1.5 MB.</summary>
    public const int MaxPayload = 256 << 20;

    public static void WriteHeader(Span<byte> header, byte kind, int length)
    {
        header[0] = kind;
        BinaryPrimitives.WriteInt32LittleEndian(header[1..], length);
    }

    /// <summary>Reads one frame; null at the end of the stream before a frame begins. Throws on a stream cut inside a frame.</summary>
    public static async Task<(byte Kind, byte[] Payload)?> ReadAsync(Stream input, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderLength];
        var got = await input.ReadAtLeastAsync(header, HeaderLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            return null;
        }

        if (got < HeaderLength)
        {
            throw new EndOfStreamException("the stream ended inside a frame header");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(1));
        if (length < 0 || length > MaxPayload)
        {
            throw new InvalidDataException($"a frame announces {length} bytes, more than the {MaxPayload} taken");
        }

        var payload = new byte[length];
        await input.ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false);
        return (header[0], payload);
    }

    public static async Task WriteAsync(Stream output, byte kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderLength];
        WriteHeader(header, kind, payload.Length);
        await output.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public static byte[] ErrorPayload(string reason, string? advice) => Encoding.UTF8.GetBytes(reason + "\0" + (advice ?? ""));

    public static (string Reason, string? Advice) ReadError(byte[] payload)
    {
        var text = Encoding.UTF8.GetString(payload);
        var zero = text.IndexOf('\0', StringComparison.Ordinal);
        return zero < 0 ? (text, null) : (text[..zero], zero + 1 < text.Length ? text[(zero + 1)..] : null);
    }
}
