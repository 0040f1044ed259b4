namespace MediaRelay.Control.Ng;

/// <summary>
/// rtpengine treats letter case, spaces, hyphens and underscores in keys, flags and command names alike
/// (<c>call-id</c>, <c>call_id</c>, <c>Call ID</c>). Normalised form: lower case, with a space for '-' and '_'.
/// </summary>
public static class NgNames
{
    /// <summary>The keys and values asked for on every offer, answer and delete, in the spellings seen on the wire and in code.</summary>
    private static readonly Dictionary<string, string> s_known = Known(
        "command", "call-id", "from-tag", "to-tag", "via-branch", "sdp", "flags", "replace", "ICE", "ice", "offer",
        "answer", "delete", "query", "ping", "list", "statistics", "rtcp-mux", "direction", "received-from",
        "media-address", "address-family", "transport-protocol", "supports", "delete delay", "origin",
        "session-connection", "remove", "force", "fatal", "trust-address", "SIP-source-address", "DTLS", "SDES",
        "label", "set-label", "to-label", "metadata", "all", "record-call", "strict-source", "media-handover");

    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return s_known.TryGetValue(name, out var known) ? known : Compute(name);
    }

    private static Dictionary<string, string> Known(params string[] names)
    {
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            known[name] = Compute(name);
            known[name.Replace('-', ' ')] = Compute(name);
            known[name.Replace('-', '_')] = Compute(name);
        }

        return known;
    }

    private static string Compute(string name)
    {
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
