using System.Net;
using MediaRelay.Core.Api;
using MediaRelay.Protocols.Sdp;

namespace MediaRelay.Control.Sdp;

/// <summary>What became of one SDP offer or answer.</summary>
public enum SdpOutcome
{
    /// <summary>Applied; <see cref="SdpExchangeResult.Sdp"/> holds the rewritten SDP.</summary>
    Rewritten,
    /// <summary>The SDP did not parse, or its media could not be read; nothing changed.</summary>
    SdpInvalid,
    /// <summary>The session model refused it (<see cref="SdpExchangeResult.Error"/>); nothing changed.</summary>
    Refused,
}

/// <summary>The outcome, the session error when refused, and the rewritten SDP when applied.</summary>
public readonly record struct SdpExchangeResult(SdpOutcome Outcome, SessionError Error, string? Sdp);

/// <summary>
/// The SDP offer/answer orchestration that a protocol carrying whole SDP bodies (ng) shares: parse the party's SDP,
/// reduce it to media descriptions, apply them through the session API, and rewrite the SDP so the other party
/// sends to the relay. Protocols whose proxy module rewrites the SDP itself (MediaProxy's, rtpproxy's) call the
/// session API directly. Bad input changes nothing.
/// </summary>
public static class SdpOfferAnswer
{
    /// <param name="sessions">The session API.</param>
    /// <param name="isOffer">An offer (<paramref name="fromTag"/> names the sender) or an answer (<paramref name="toTag"/> does).</param>
    /// <param name="sdp">The party's SDP text.</param>
    /// <param name="receivedFrom">Where the SIP message came from (the signalling source used for latching).</param>
    /// <param name="trustedAddress">An address that replaces the SDP's connection addresses, or null to trust the SDP.</param>
    /// <param name="options">How to rewrite; its ICE credentials are filled from the party's SDP when unset.</param>
    /// <param name="placement">The interfaces of an offer's new streams; ignored for an answer.</param>
    public static SdpExchangeResult Apply(ISessionApi sessions, bool isOffer, string callId, string fromTag, string? toTag,
        string sdp, IPAddress? receivedFrom, IPAddress? trustedAddress, SdpRewriteOptions options, MediaPlacement? placement = null)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(options);
        if (!SdpSession.TryParse(sdp, out var parsed, out _)
            || !SdpMediaExtractor.TryExtract(parsed!, trustedAddress, out var media, out _))
        {
            return new SdpExchangeResult(SdpOutcome.SdpInvalid, SessionError.None, null);
        }

        var error = isOffer
            ? sessions.Offer(callId, fromTag, toTag, media, receivedFrom, out var relayed, placement)
            : sessions.Answer(callId, fromTag, toTag ?? string.Empty, media, receivedFrom, out relayed);
        if (error != SessionError.None)
        {
            return new SdpExchangeResult(SdpOutcome.Refused, error, null);
        }

        KeepIceCredentials(parsed!, options);
        return new SdpExchangeResult(SdpOutcome.Rewritten, SessionError.None, SdpRewriter.Rewrite(parsed!, relayed, options));
    }

    /// <summary>
    /// The relay passes STUN through unchanged (it is a relay candidate, not an ICE agent), so the candidates it
    /// writes must carry the party's own credentials: the other party's checks reach the party, which answers them
    /// with those (RFC 8445 section 7.2.2).
    /// </summary>
    private static void KeepIceCredentials(SdpSession sdp, SdpRewriteOptions options)
    {
        foreach (var section in sdp.Media.Cast<SdpSection>().Prepend(sdp))
        {
            if (options.IceUsernameFragment is null && section.TryGetAttribute("ice-ufrag", out var ufrag) && ufrag.Value is { Length: > 0 })
            {
                options.IceUsernameFragment = ufrag.Value;
            }

            if (options.IcePassword is null && section.TryGetAttribute("ice-pwd", out var pwd) && pwd.Value is { Length: > 0 })
            {
                options.IcePassword = pwd.Value;
            }
        }
    }
}
