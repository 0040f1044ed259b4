namespace MediaRelay.Protocols.MediaProxy;

/// <summary>
/// Finds where a request ends in a stream buffer: at the first empty line after its first non-empty line
/// (CRLF CRLF, LF LF, or a mix). Empty lines before a request belong to its frame, as AG Projects' dispatcher skips
/// them. The module keeps one connection per SIP worker and sends a request only after it has read the reply to the
/// previous one, so a buffer normally holds at most one request; any bytes after the returned length start the next.
/// Threading: stateless.
/// </summary>
public static class MediaProxyFraming
{
    /// <summary>Looks for one complete request at the start of <paramref name="buffer"/>. Never throws.</summary>
    /// <param name="buffer">Received bytes not yet consumed.</param>
    /// <param name="length">With <see cref="MediaProxyFrameStatus.Complete"/>, the bytes through the empty line; else 0.</param>
    public static MediaProxyFrameStatus Find(ReadOnlySpan<byte> buffer, out int length) =>
        Find(buffer, (byte)'\r', (byte)'\n', out length);

    /// <summary>The same search over text. Never throws.</summary>
    public static MediaProxyFrameStatus Find(ReadOnlySpan<char> buffer, out int length) =>
        Find(buffer, '\r', '\n', out length);

    private static MediaProxyFrameStatus Find<T>(ReadOnlySpan<T> buffer, T cr, T lf, out int length)
        where T : IEquatable<T>
    {
        length = 0;
        var window = buffer[..Math.Min(buffer.Length, MediaProxyRequest.MaxLength)];
        var sawContent = false;
        var lineStart = 0;
        while (lineStart < window.Length)
        {
            var newline = window[lineStart..].IndexOf(lf);
            if (newline < 0)
            {
                break;
            }

            var lineLength = newline > 0 && window[lineStart + newline - 1].Equals(cr) ? newline - 1 : newline;
            var next = lineStart + newline + 1;
            if (lineLength == 0 && sawContent)
            {
                length = next;
                return MediaProxyFrameStatus.Complete;
            }

            sawContent |= lineLength > 0;
            lineStart = next;
        }

        return buffer.Length >= MediaProxyRequest.MaxLength ? MediaProxyFrameStatus.TooLarge : MediaProxyFrameStatus.Incomplete;
    }
}
