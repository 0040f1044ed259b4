namespace MediaRelay.Control.Ng;

/// <summary>
/// rtpengine treats letter case, spaces, hyphens and underscores in keys, flags and command names alike
/// (<c>call-id</c>, <c>call_id</c>, <c>Call ID</c>). Normalised form: lower case, with a space for '-' and '_'.
/// </summary>
public static class NgNames
{
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return string.Create(name.Length, name, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c is '-' or '_' ? ' ' : char.ToLowerInvariant(c);
            }
        }).Trim();
    }
}
