namespace MediaRelay.Protocols.Rtpproxy;

/// <summary>
/// The protocol version and the capability date stamps of <c>VF</c> (sippy/rtpproxy <c>proto_caps</c> in
/// <c>src/commands/rpcpv1_ver.c</c>). Kamailio's module sends <c>V</c> and expects <see cref="BaseVersion"/>, then
/// <c>VF</c> with <see cref="MultipleStreams"/> (required), <see cref="Repacketization"/> and
/// <see cref="CodecList"/> (optional), and no other date.
/// </summary>
public static class RtpproxyFeatures
{
    /// <summary>The answer to <c>V</c>; Kamailio disables a proxy that answers anything else.</summary>
    public const string BaseVersion = "20040107";

    /// <summary>Multiple RTP streams and MOH; Kamailio disables a proxy that does not answer <c>1</c>.</summary>
    public const string MultipleStreams = "20050322";

    /// <summary>Extra parameter in the V command.</summary>
    public const string VersionParameter = "20060704";

    /// <summary>RTP repacketization; with <c>1</c> Kamailio forwards its <c>z&lt;ms&gt;</c> flag as <c>Z&lt;ms&gt;</c>.</summary>
    public const string Repacketization = "20071116";

    /// <summary>Forking (copying) an RTP stream.</summary>
    public const string Copy = "20071218";

    /// <summary>RTP statistics querying (<c>Q</c>).</summary>
    public const string Query = "20080403";

    /// <summary>Codec list in U/L; with <c>1</c> Kamailio sends <c>c&lt;pt,…&gt;</c> and allows <c>P</c>/<c>S</c>.</summary>
    public const string CodecList = "20081102";

    /// <summary>Session timeout notifications; rtpproxy answers <c>1</c> only when a notify socket is configured.</summary>
    public const string TimeoutNotification = "20081224";

    /// <summary>Automatic bridging.</summary>
    public const string AutomaticBridging = "20090810";

    /// <summary>Every date stamp rtpproxy knows, with its description, oldest first.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Known { get; } =
    [
        new(BaseVersion, "Basic RTP proxy functionality"),
        new(MultipleStreams, "Support for multiple RTP streams and MOH"),
        new(VersionParameter, "Support for extra parameter in the V command"),
        new(Repacketization, "Support for RTP re-packetization"),
        new(Copy, "Support for forking (copying) RTP stream"),
        new(Query, "Support for RTP statistics querying"),
        new(CodecList, "Support for setting codecs in the update/lookup command"),
        new(TimeoutNotification, "Support for session timeout notifications"),
        new(AutomaticBridging, "Support for automatic bridging"),
        new("20140323", "Support for tracking/reporting load"),
        new("20140617", "Support for anchoring session connect time"),
        new("20141004", "Support for extendable performance counters"),
        new("20150330", "Support for allocating a new port (\"Un\"/\"Ln\" commands)"),
        new("20150420", "Support for SEQ tracking and new rtpa_ counters; Q command extended"),
        new("20150617", "Support for the wildcard %%CC_SELF%% as a disconnect notify target"),
        new("20191015", "Support for the && sub-command specifier"),
        new("20200226", "Support for the N command to stop recording"),
        new("20230205", "Support for \"rtpa_nlost\" counter; extend catch_dtmf module with \"h\" modifier"),
        new("20230314", "Support for for \"fusing\" G and D commands"),
        new("20230424", "Support for for \"longest_ipi\", \"rtpa_jlast\", \"rtpa_jmax\" and \"rtpa_javg\" counters"),
    ];

    /// <summary>True if rtpproxy knows this date stamp (exact, as <c>strcmp</c>).</summary>
    public static bool IsKnown(string? date)
    {
        foreach (var pair in Known)
        {
            if (string.Equals(pair.Key, date, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
