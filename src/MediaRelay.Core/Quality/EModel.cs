namespace MediaRelay.Core.Quality;

/// <summary>
/// A MOS estimate from the E-model (ITU-T G.107), simplified as rtpengine and most monitoring tools do: the default
/// R of 93.2, less the delay impairment Id from the one-way delay, less the effective equipment impairment Ie-eff
/// from the codec's Ie and packet-loss robustness Bpl (ITU-T G.113 appendix I) and the loss; then R to MOS.
/// </summary>
internal static class EModel
{
    /// <summary>MOS from 1 to 4.5 (narrowband ceiling 4.4).</summary>
    /// <param name="codec">The payload's name (PCMU, PCMA, G729, G722, opus, ...).</param>
    /// <param name="lossPercent">Packet loss, 0-100.</param>
    /// <param name="jitterMilliseconds">Interarrival jitter; a jitter buffer of twice it is added to the delay.</param>
    /// <param name="roundTripMilliseconds">The round-trip time, when known; its half is the network delay.</param>
    public static double Mos(string? codec, double lossPercent, double jitterMilliseconds, double? roundTripMilliseconds)
    {
        var (ie, bpl, codecDelay) = Impairments(codec);
        var delay = ((roundTripMilliseconds ?? 0) / 2) + (2 * jitterMilliseconds) + codecDelay;
        var id = (0.024 * delay) + (delay > 177.3 ? 0.11 * (delay - 177.3) : 0);
        var loss = Math.Clamp(lossPercent, 0, 100);
        var ieEffective = ie + ((95 - ie) * loss / (loss + bpl));
        var r = Math.Clamp(93.2 - id - ieEffective, 0, 100);
        return Math.Clamp(1 + (0.035 * r) + (r * (r - 60) * (100 - r) * 7e-6), 1, 4.5);
    }

    /// <summary>Ie, Bpl (with packet-loss concealment) and the codec's own delay in ms (a 20 ms packet plus look-ahead).</summary>
    private static (double Ie, double Bpl, double Delay) Impairments(string? codec) => codec?.ToUpperInvariant() switch
    {
        "PCMU" or "PCMA" => (0, 25.1, 20),
        "G729" => (11, 19, 25),
        "G723" => (15, 16.1, 67.5),
        "GSM" => (20, 10, 20),
        "G722" => (0, 25.1, 21.5),
        "OPUS" => (0, 30, 26.5),
        _ => (0, 25.1, 20),
    };
}
