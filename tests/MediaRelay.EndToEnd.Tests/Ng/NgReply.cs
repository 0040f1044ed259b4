namespace MediaRelay.EndToEnd.Tests.Ng;

/// <summary>Reads the parts of rtpengine-style ng replies the end-to-end tests check.</summary>
internal static class NgReply
{
    /// <summary>The value at a path of dictionary keys, or null where the path breaks.</summary>
    public static object? Path(object? value, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (value is not SortedDictionary<string, object> dictionary || !dictionary.TryGetValue(key, out value))
            {
                return null;
            }
        }

        return value;
    }

    /// <summary>
    /// RTP packets the relay received from the party whose tag starts with <paramref name="tagPrefix"/>, from a
    /// "query" reply: tags / TAG / medias[] / streams[] / stats / packets, counting the streams flagged "RTP" (or,
    /// when a stream has no flags, the first stream of each media, which is RTP in rtpengine's layout).
    /// </summary>
    public static long RtpPacketsFromTag(SortedDictionary<string, object> queryReply, string tagPrefix)
    {
        if (Path(queryReply, "tags") is not SortedDictionary<string, object> tags)
        {
            return 0;
        }

        long packets = 0;
        foreach (var (tag, party) in tags)
        {
            if (!tag.StartsWith(tagPrefix, StringComparison.Ordinal) || Path(party, "medias") is not List<object> medias)
            {
                continue;
            }

            foreach (var media in medias)
            {
                if (Path(media, "streams") is not List<object> streams)
                {
                    continue;
                }

                for (var i = 0; i < streams.Count; i++)
                {
                    var isRtp = Path(streams[i], "flags") is List<object> flags ? flags.Contains("RTP") : i == 0;
                    if (isRtp && Path(streams[i], "stats", "packets") is long count)
                    {
                        packets += count;
                    }
                }
            }
        }

        return packets;
    }
}
