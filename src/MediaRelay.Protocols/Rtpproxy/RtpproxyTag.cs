namespace MediaRelay.Protocols.Rtpproxy;

/// <summary>
/// A From-tag or To-tag argument, <c>TAG</c> or <c>TAG;MEDIANUM</c>. Kamailio appends <c>;1</c>, <c>;2</c>… (one per
/// SDP m= line) to the tags of <c>U</c>/<c>L</c> and sends bare tags with <c>D</c> and <c>R</c>. A bare tag stands
/// for every medianum (rtpproxy <c>compare_session_tags</c> matches it as a prefix up to the <c>;</c>).
/// SIP tags cannot contain <c>;</c>, so the suffix is a medianum whenever it is 1 to 9 digits after a non-empty tag;
/// any other token is kept whole in <see cref="Value"/> with no medianum, as rtpproxy treats tags as opaque text.
/// </summary>
public readonly record struct RtpproxyTag(string Value, int MediaNumber, bool HasMediaNumber)
{
    /// <summary>The medianum a bare tag implies for a single-stream session.</summary>
    public const int DefaultMediaNumber = 1;

    /// <summary>The token as it appears on the wire.</summary>
    public override string ToString() => HasMediaNumber ? $"{Value};{MediaNumber}" : Value;

    /// <summary>Splits a token; never fails for a non-empty token.</summary>
    internal static RtpproxyTag Parse(string token)
    {
        var semicolon = token.IndexOf(';', StringComparison.Ordinal);
        if (semicolon > 0)
        {
            var digits = token.AsSpan(semicolon + 1);
            if (digits.Length is >= 1 and <= 9 && IsAllDigits(digits))
            {
                return new RtpproxyTag(token[..semicolon], int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture), true);
            }
        }

        return new RtpproxyTag(token, DefaultMediaNumber, false);
    }

    private static bool IsAllDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}
