using MediaRelay.Protocols.Bencode;

namespace MediaRelay.EndToEnd.Tests.Ng;

/// <summary>Reads the parts of rtpengine-style ng replies the end-to-end tests check.</summary>
internal static class NgReply
{
    /// <summary>The value at a path of dictionary keys, or null where the path breaks.</summary>
    public static BencodeValue? Path(BencodeValue? value, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (value is not BencodeDictionary dictionary || !dictionary.TryGetValue(key, out value))
            {
                return null;
            }
        }

        return value;
    }

    /// <summary>The integer at a path of dictionary keys, or null where the path breaks or ends in a non-integer.</summary>
    public static long? Integer(BencodeValue? value, params string[] keys) =>
        Path(value, keys) is BencodeInteger integer ? integer.Value : null;

    /// <summary>
    /// RTP packets the relay received from the party whose tag starts with <paramref name="tagPrefix"/>, from a
    /// "query" reply: tags / TAG / medias[] / streams[] / stats / packets, counting the streams flagged "RTP" (or,
    /// when a stream has no flags, the first stream of each media, which is RTP in rtpengine's layout). With
    /// <paramref name="statsKey"/> "kernel stats", the part MediaRelay's kernel path forwarded.
    /// </summary>
    public static long RtpPacketsFromTag(BencodeDictionary queryReply, string tagPrefix, string statsKey = "stats")
    {
        if (Path(queryReply, "tags") is not BencodeDictionary tags)
        {
            return 0;
        }

        long packets = 0;
        foreach (var (tag, party) in tags)
        {
            if (!tag.StartsWith(tagPrefix, StringComparison.Ordinal) || Path(party, "medias") is not BencodeList medias)
            {
                continue;
            }

            foreach (var media in medias)
            {
                if (Path(media, "streams") is not BencodeList streams)
                {
                    continue;
                }

                for (var i = 0; i < streams.Count; i++)
                {
                    var isRtp = Path(streams.Items[i], "flags") is BencodeList flags
                        ? flags.Items.Any(flag => flag.AsText() == "RTP")
                        : i == 0;
                    if (isRtp && Integer(streams.Items[i], statsKey, "packets") is { } count)
                    {
                        packets += count;
                    }
                }
            }
        }

        return packets;
    }
}
