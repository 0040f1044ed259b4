using System.Globalization;

namespace MediaRelay.Protocols.MediaProxy;

/// <summary>
/// The <c>dialog_id</c> header: the proxy's dialog hash entry and id, which is all its end-dialog command needs.
/// Kamailio writes <c>"%d:%d"</c> of the two unsigned ints (so an id past 2^31 arrives negative);
/// OpenSIPS writes <c>"%llu"</c> of <c>(h_entry &lt;&lt; 32) | h_id</c>. Both forms map onto the same pair.
/// Threading: immutable.
/// </summary>
public readonly record struct MediaProxyDialogId
{
    private MediaProxyDialogId(MediaProxyDialogIdKind kind, uint hashEntry, uint hashId)
    {
        Kind = kind;
        HashEntry = hashEntry;
        HashId = hashId;
    }

    /// <summary>Which proxy's form the header used.</summary>
    public MediaProxyDialogIdKind Kind { get; }

    /// <summary>The dialog's hash table entry (<c>h_entry</c>).</summary>
    public uint HashEntry { get; }

    /// <summary>The dialog's id within its entry (<c>h_id</c>).</summary>
    public uint HashId { get; }

    /// <summary>The OpenSIPS form of the id: <c>(h_entry &lt;&lt; 32) | h_id</c>.</summary>
    public ulong Combined => ((ulong)HashEntry << 32) | HashId;

    /// <summary>A Kamailio dialog id.</summary>
    public static MediaProxyDialogId FromKamailio(uint hashEntry, uint hashId) =>
        new(MediaProxyDialogIdKind.Kamailio, hashEntry, hashId);

    /// <summary>An OpenSIPS dialog id.</summary>
    public static MediaProxyDialogId FromOpenSips(ulong combined) =>
        new(MediaProxyDialogIdKind.OpenSips, (uint)(combined >> 32), (uint)combined);

    /// <summary>
    /// Parses either form. Kamailio's halves are decimal ints, optionally negative (its <c>%d</c> of an unsigned
    /// int); OpenSIPS's is one unsigned 64-bit decimal. Never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out MediaProxyDialogId dialogId)
    {
        dialogId = default;
        var colon = text.IndexOf(':');
        if (colon < 0)
        {
            if (!IsDigits(text) || !ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var combined))
            {
                return false;
            }

            dialogId = FromOpenSips(combined);
            return true;
        }

        if (!TryParseHalf(text[..colon], out var entry) || !TryParseHalf(text[(colon + 1)..], out var id))
        {
            return false;
        }

        dialogId = FromKamailio(entry, id);
        return true;
    }

    /// <summary>The header value in the proxy's own form: <c>h_entry:h_id</c> (unsigned) or the decimal combination.</summary>
    public override string ToString() => Kind == MediaProxyDialogIdKind.Kamailio
        ? string.Create(CultureInfo.InvariantCulture, $"{HashEntry}:{HashId}")
        : Combined.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The datagram that ends this dialog in the proxy that issued it: Kamailio's <c>dlg.end_dlg</c> JSON-RPC or
    /// OpenSIPS's <c>dlg_end_dlg</c> MI JSON-RPC. See <see cref="MediaProxyEndDialog"/>.
    /// </summary>
    public byte[] FormatEndDialog(long requestId) => Kind == MediaProxyDialogIdKind.Kamailio
        ? MediaProxyEndDialog.FormatKamailio(HashEntry, HashId, requestId)
        : MediaProxyEndDialog.FormatOpenSips(Combined, requestId);

    private static bool TryParseHalf(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        var negative = !text.IsEmpty && text[0] == '-';
        var digits = negative ? text[1..] : text;
        if (!IsDigits(digits) || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var magnitude))
        {
            return false;
        }

        // "%d" of an unsigned int: [-2^31, 2^32) covers every value either sign convention can produce.
        if (negative ? magnitude > 1L << 31 : magnitude > uint.MaxValue)
        {
            return false;
        }

        value = unchecked((uint)(negative ? -magnitude : magnitude));
        return true;
    }

    private static bool IsDigits(ReadOnlySpan<char> text) =>
        !text.IsEmpty && text.Length <= 20 && !text.ContainsAnyExceptInRange('0', '9');
}
