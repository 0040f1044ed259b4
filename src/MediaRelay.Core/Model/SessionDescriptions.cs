using System.Globalization;
using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;

namespace MediaRelay.Core.Model;

/// <summary>The short texts the session start and end log lines carry.</summary>
internal static class SessionDescriptions
{
    /// <summary>"MOS 4.3 (loss 0.5 %, jitter 2.1 ms)" of the party that heard worst; "n/a" with no RTP seen in user space.</summary>
    public static string Quality(SessionStatistics statistics)
    {
        QualityStatistics? worst = null;
        var loss = 0.0;
        var jitter = 0.0;
        foreach (var stream in statistics.Streams)
        {
            foreach (var party in (ReadOnlySpan<PartyStatistics>)[stream.Caller, stream.Callee])
            {
                loss = Math.Max(loss, party.Quality.LossPercent);
                jitter = Math.Max(jitter, party.Quality.JitterMilliseconds);
                if (party.Quality.Mos is { } mos && (worst?.Mos is not { } low || mos < low))
                {
                    worst = party.Quality;
                }
            }
        }

        return worst?.Mos is { } lowest
            ? string.Create(CultureInfo.InvariantCulture, $"MOS {lowest:F1} (loss up to {loss:F1} %, jitter up to {jitter:F1} ms)")
            : "n/a";
    }

    public static string Ports(List<RelayedMedia> relayed)
    {
        var parts = new List<string>(relayed.Count);
        foreach (var media in relayed)
        {
            parts.Add(media.RtpPort.ToString(CultureInfo.InvariantCulture));
        }

        return string.Join(",", parts);
    }
}
