using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Ng;

/// <summary>
/// Builds the body that query and delete return, in the shape rtpengine uses so Kamailio's <c>$rtpstat</c> and
/// existing tools can read it: <c>created</c>, <c>created_us</c>, <c>last signal</c>, <c>tags</c> (per party:
/// <c>tag</c>, <c>created</c>, <c>in dialogue with</c>, <c>medias</c> with their <c>streams</c>) and <c>totals</c>
/// for RTP and RTCP. A stream's counters are what arrived from that tag's party. A report too big for one datagram
/// (from about 60 m-lines) is cut by <see cref="Trim"/>. Pure: a function of the record.
/// </summary>
public static class NgCallReport
{
    /// <summary><c>result: ok</c> followed by the statistics of the call.</summary>
    public static BencodeDictionary Build(SessionStatistics call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var reply = NgReplies.Ok();
        var created = call.Created.ToUnixTimeSeconds();
        reply.Add("created", created);
        // The microseconds within the second, as a timeval's tv_usec.
        reply.Add("created_us", call.Created.UtcTicks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond);
        reply.Add("last signal", (call.LastSignal ?? call.Created).ToUnixTimeSeconds());

        var callerTag = call.CallerTag ?? string.Empty;
        var calleeTag = call.CalleeTag ?? string.Empty;
        var tags = new BencodeDictionary();
        tags.Set(callerTag, BuildTag(call, PartyRole.Caller, callerTag, calleeTag));
        if (!tags.ContainsKey(calleeTag))
        {
            tags.Set(calleeTag, BuildTag(call, PartyRole.Callee, calleeTag, callerTag));
        }

        reply.Add("tags", tags);
        reply.Add("totals", BuildTotals(call));
        if (BuildSsrc(call) is { } ssrc)
        {
            reply.Add("SSRC", ssrc);
        }

        return reply;
    }

    /// <summary>
    /// rtpengine's per-SSRC quality block: for each party's RTP source, "average MOS" with MOS (times 10) of that
    /// media as its receiver hears it, the receiver's round-trip time (microseconds), jitter (ms) and packet loss (%),
    /// the worse of the relay's own measure and the receiver's report. The figures are the latest, not averages over
    /// samples: MediaRelay keeps no history per SSRC.
    /// </summary>
    private static BencodeDictionary? BuildSsrc(SessionStatistics call)
    {
        BencodeDictionary? result = null;
        foreach (var stream in call.Streams)
        {
            foreach (var (sender, receiver) in (ReadOnlySpan<(PartyStatistics, PartyStatistics)>)[(stream.Caller, stream.Callee), (stream.Callee, stream.Caller)])
            {
                // An SSRC's block describes the media it sends, as its receiver hears it.
                var sent = sender.Quality;
                if (sent.Ssrc == 0)
                {
                    continue;
                }

                var heard = receiver.Quality;
                var mos = new BencodeDictionary
                {
                    { "MOS", (long)Math.Round((heard.Mos ?? 0) * 10) },
                    { "round-trip time", (long)Math.Round((heard.RoundTripMilliseconds ?? 0) * 1000) },
                    { "jitter", (long)Math.Round(Math.Max(sent.JitterMilliseconds, heard.ReportedJitterMilliseconds ?? 0)) },
                    { "packet loss", (long)Math.Round(Math.Max(sent.LossPercent, heard.ReportedLossPercent ?? 0)) },
                };
                (result ??= []).Set(sent.Ssrc.ToString(System.Globalization.CultureInfo.InvariantCulture), new BencodeDictionary { { "average MOS", mos } });
            }
        }

        return result;
    }

    /// <summary>MediaRelay's per-party quality, in integers as bencode has them.</summary>
    private static BencodeDictionary BuildQuality(QualityStatistics quality)
    {
        var result = new BencodeDictionary(10)
        {
            { "SSRC", quality.Ssrc },
            { "packets expected", quality.PacketsExpected },
            { "packets lost", quality.PacketsLost },
            // Per mille and microseconds: integers that keep the precision a percent and a millisecond would lose.
            { "packet loss permille", (long)Math.Round(quality.LossPercent * 10) },
            { "jitter us", (long)Math.Round(quality.JitterMilliseconds * 1000) },
        };
        if (quality.ReportedLossPercent is { } reportedLoss)
        {
            result.Add("reported packet loss permille", (long)Math.Round(reportedLoss * 10));
            result.Add("reported cumulative lost", quality.ReportedCumulativeLost);
        }

        if (quality.ReportedJitterMilliseconds is { } reportedJitter)
        {
            result.Add("reported jitter us", (long)Math.Round(reportedJitter * 1000));
        }

        if (quality.RoundTripMilliseconds is { } rtt)
        {
            result.Add("round-trip time us", (long)Math.Round(rtt * 1000));
        }

        if (quality.Mos is { } mos)
        {
            result.Add("MOS", (long)Math.Round(mos * 10));
        }

        return result;
    }

    /// <summary>
    /// The report with less per-stream detail, for a reply that must fit one datagram: every tag keeps its first N
    /// medias, for the largest N whose reply <paramref name="fits"/> accepts (the reply grows with N); the times, the
    /// tags and the totals stay, and <c>warning</c> says how many media streams are shown. Null when
    /// <paramref name="report"/> has no <c>tags</c> or even a report without medias does not fit.
    /// </summary>
    public static BencodeDictionary? Trim(BencodeDictionary report, Func<BencodeDictionary, bool> fits)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(fits);
        if (report.GetDictionary("tags") is not { } tags)
        {
            return null;
        }

        var total = 0;
        foreach (var (_, tag) in tags)
        {
            total = Math.Max(total, (tag as BencodeDictionary)?.GetList("medias")?.Count ?? 0);
        }

        // The whole report did not fit, so search 0..total-1: about log2(total) encodings, only for oversized replies.
        BencodeDictionary? best = null;
        int low = 0, high = total - 1;
        while (low <= high)
        {
            var shown = low + ((high - low) / 2);
            var candidate = Shown(report, tags, shown, total);
            if (fits(candidate))
            {
                best = candidate;
                low = shown + 1;
            }
            else
            {
                high = shown - 1;
            }
        }

        return best;
    }

    /// <summary>A copy of the report, <c>warning</c> after <c>result</c>, each tag's medias cut to the first <paramref name="shown"/>.</summary>
    private static BencodeDictionary Shown(BencodeDictionary report, BencodeDictionary tags, int shown, int total)
    {
        var copy = new BencodeDictionary();
        foreach (var (key, value) in report)
        {
            if (key == "tags")
            {
                copy.Add(key, ShownTags(tags, shown));
                continue;
            }

            copy.Add(key, value);
            if (key == NgReplies.ResultKey)
            {
                copy.Add(NgReplies.WarningKey, NgErrors.ReportTrimmedWarning(shown, total));
            }
        }

        return copy;
    }

    private static BencodeDictionary ShownTags(BencodeDictionary tags, int shown)
    {
        var copy = new BencodeDictionary();
        foreach (var (name, value) in tags)
        {
            if (value is not BencodeDictionary tag || tag.GetList("medias") is not { } medias)
            {
                copy.Add(name, value);
                continue;
            }

            var tagCopy = new BencodeDictionary();
            foreach (var (key, field) in tag)
            {
                tagCopy.Add(key, key == "medias" ? new BencodeList(medias.Items.Take(shown)) : field);
            }

            copy.Add(name, tagCopy);
        }

        return copy;
    }

    private static BencodeDictionary BuildTag(SessionStatistics call, PartyRole role, string tag, string otherTag)
    {
        var medias = new BencodeList();
        foreach (var stream in call.Streams)
        {
            var party = role == PartyRole.Caller ? stream.Caller : stream.Callee;
            medias.Add(BuildMedia(stream, party));
        }

        return new BencodeDictionary(4)
        {
            { "tag", tag },
            { "created", call.Created.ToUnixTimeSeconds() },
            { "in dialogue with", otherTag },
            { "medias", medias },
        };
    }

    private static BencodeDictionary BuildMedia(StreamStatistics stream, PartyStatistics party)
    {
        var flags = new BencodeList { "initialized" };
        if (party.Direction is MediaDirection.SendRecv or MediaDirection.SendOnly)
        {
            flags.Add("send");
        }

        if (party.Direction is MediaDirection.SendRecv or MediaDirection.RecvOnly)
        {
            flags.Add("recv");
        }

        var muxed = party.Rtcp.Local.Equals(party.Rtp.Local);
        if (muxed)
        {
            flags.Add("rtcp-mux");
        }

        var streams = new BencodeList { BuildStream(party.Rtp, "RTP") };
        if (!muxed)
        {
            streams.Add(BuildStream(party.Rtcp, "RTCP"));
        }

        return new BencodeDictionary(9)
        {
            // StreamStatistics.Index counts m-lines from 0; ng counts medias from 1.
            { "index", stream.Index + 1 },
            { "type", stream.MediaType },
            { "protocol", stream.Protocol },
            // The relay interface facing this party: its name, the address its ports are bound on and the one in SDP.
            { "interface", party.Interface },
            { "quality", BuildQuality(party.Quality) },
            { "local address", party.Rtp.Local.Address.ToString() },
            { "advertised address", (party.Advertised ?? party.Rtp.Local.Address).ToString() },
            { "flags", flags },
            { "streams", streams },
        };
    }

    private static BencodeDictionary BuildStream(SubPartyStatistics side, string kind)
    {
        var flags = new BencodeList { kind };
        var endpoint = side.LearnedRemote ?? side.SdpRemote;
        if (endpoint is not null)
        {
            flags.Add("filled");
        }

        if (side.LearnedRemote is not null)
        {
            flags.Add("confirmed");
        }

        if (side.KernelPackets > 0)
        {
            flags.Add("kernelized");
        }

        return new BencodeDictionary(6)
        {
            { "local port", side.Local.Port },
            { "endpoint", BuildEndpoint(endpoint) },
            { "advertised endpoint", BuildEndpoint(side.SdpRemote) },
            { "stats", BuildCounters(side.TotalPackets, side.TotalBytes, side.Errors) },
            // MediaRelay's own addition: what of "stats" the kernel forwarded (the rest went through user space).
            { "kernel stats", new BencodeDictionary(2) { { "packets", side.KernelPackets }, { "bytes", side.KernelBytes } } },
            { "flags", flags },
        };
    }

    /// <summary>An endpoint as <c>family</c>, <c>address</c>, <c>port</c>; unknown endpoints are empty, port 0.</summary>
    private static BencodeDictionary BuildEndpoint(IPEndPoint? endpoint)
    {
        if (endpoint is null)
        {
            return new BencodeDictionary(3) { { "family", "IPv4" }, { "address", string.Empty }, { "port", 0L } };
        }

        var address = endpoint.Address.IsIPv4MappedToIPv6 ? endpoint.Address.MapToIPv4() : endpoint.Address;
        return new BencodeDictionary(3)
        {
            { "family", address.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4" },
            { "address", address.ToString() },
            { "port", endpoint.Port },
        };
    }

    private static BencodeDictionary BuildTotals(SessionStatistics call)
    {
        long rtpPackets = 0, rtpBytes = 0, rtpErrors = 0, rtcpPackets = 0, rtcpBytes = 0, rtcpErrors = 0;
        foreach (var stream in call.Streams)
        {
            foreach (var party in (ReadOnlySpan<PartyStatistics>)[stream.Caller, stream.Callee])
            {
                rtpPackets += party.Rtp.TotalPackets;
                rtpBytes += party.Rtp.TotalBytes;
                rtpErrors += party.Rtp.Errors;
                if (!party.Rtcp.Local.Equals(party.Rtp.Local))
                {
                    rtcpPackets += party.Rtcp.TotalPackets;
                    rtcpBytes += party.Rtcp.TotalBytes;
                    rtcpErrors += party.Rtcp.Errors;
                }
            }
        }

        return new BencodeDictionary(2)
        {
            { "RTP", BuildCounters(rtpPackets, rtpBytes, rtpErrors) },
            { "RTCP", BuildCounters(rtcpPackets, rtcpBytes, rtcpErrors) },
        };
    }

    private static BencodeDictionary BuildCounters(long packets, long bytes, long errors) =>
        new(3) { { "packets", packets }, { "bytes", bytes }, { "errors", errors } };
}
