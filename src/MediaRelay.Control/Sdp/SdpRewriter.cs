using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MediaRelay.Core.Api;
using MediaRelay.Protocols.Sdp;

namespace MediaRelay.Control.Sdp;

/// <summary>
/// Puts the relay into one party's SDP before it goes on to the other party, the way rtpengine does: m= ports,
/// connection addresses, a=rtcp and ICE candidates name the relay; everything else stays as the party wrote it,
/// byte for byte. Stateless and thread-safe; the session passed in is edited in place.
/// </summary>
public static class SdpRewriter
{
    /// <summary>
    /// Rewrites <paramref name="sdp"/> in place and returns its text.
    /// Per m-line i, <c>relayed</c> entry with <see cref="RelayedMedia.Index"/> i gives what to advertise:
    /// <list type="bullet">
    /// <item>m= port: the relay RTP port, 0 when rejected (the m-line is kept, RFC 3264 section 6); a "/count" is dropped.</item>
    /// <item>c=: a media-level c= is rewritten; the session-level c= is rewritten when some m-line inherits it or
    /// <see cref="SdpRewriteOptions.ReplaceSessionConnection"/> is set; an m-line gets its own c= when it would
    /// otherwise inherit an address that is not its relay address. A 0.0.0.0/:: address (hold) passes through
    /// unless <see cref="SdpRewriteOptions.ReplaceZeroAddress"/> is set.</item>
    /// <item>a=rtcp: rewritten to the relay RTCP port, and added (as the first attribute) when the stream is not muxed.</item>
    /// <item>ICE, rtcp-mux, direction, transport protocol and o= as <paramref name="options"/> say.</item>
    /// </list>
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="relayed"/> does not hold exactly one entry per m-line (a caller bug, not bad input).
    /// </exception>
    public static string Rewrite(SdpSession sdp, IReadOnlyList<RelayedMedia> relayed, SdpRewriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(sdp);
        ArgumentNullException.ThrowIfNull(relayed);
        ArgumentNullException.ThrowIfNull(options);
        var byIndex = ByIndex(sdp, relayed);
        if (byIndex.Length == 0)
        {
            return sdp.ToString();
        }

        var primary = Advertised(Array.Find(byIndex, r => !r.Rejected) ?? byIndex[0], options);
        if (options.ReplaceOrigin && sdp.Origin is { } origin)
        {
            sdp.Origin = origin.WithAddress(primary);
        }

        RewriteConnections(sdp, byIndex, primary, options);
        RewriteIce(sdp, byIndex, options);

        for (var i = 0; i < byIndex.Length; i++)
        {
            var media = sdp.Media[i];
            var relay = byIndex[i];
            media.MediaLine = media.MediaLine with
            {
                Port = relay.RtpPort,
                PortCount = null,
                Proto = options.TransportProtocol ?? media.Proto,
            };

            ApplyRtcpMux(media, options.RtcpMux);
            RewriteRtcpAttribute(media, relay, Advertised(relay, options), options);
        }

        if (options.Direction is { } direction)
        {
            RewriteDirection(sdp, direction);
        }

        return sdp.ToString();
    }

    private static RelayedMedia[] ByIndex(SdpSession sdp, IReadOnlyList<RelayedMedia> relayed)
    {
        var byIndex = new RelayedMedia[sdp.Media.Count];
        foreach (var relay in relayed)
        {
            if (relay.Index < 0 || relay.Index >= byIndex.Length || byIndex[relay.Index] is not null)
            {
                throw new ArgumentException($"RelayedMedia index {relay.Index} is out of range or repeated for {byIndex.Length} m-lines.", nameof(relayed));
            }

            byIndex[relay.Index] = relay;
        }

        if (relayed.Count != byIndex.Length)
        {
            throw new ArgumentException($"{relayed.Count} RelayedMedia given for {byIndex.Length} m-lines.", nameof(relayed));
        }

        return byIndex;
    }

    private static void RewriteConnections(SdpSession sdp, RelayedMedia[] byIndex, IPAddress primary, SdpRewriteOptions options)
    {
        var sessionConnection = sdp.Connection;
        var someInherit = sdp.Media.Any(m => m.Connection is null);
        if (sessionConnection is not null && (options.ReplaceSessionConnection || someInherit) && !KeepsZero(sessionConnection, options))
        {
            sdp.Connection = SdpConnection.For(primary);
        }

        var finalSession = sdp.Connection;
        for (var i = 0; i < byIndex.Length; i++)
        {
            var media = sdp.Media[i];
            var address = Advertised(byIndex[i], options);
            var own = media.Connection;
            if (own is not null)
            {
                if (!KeepsZero(own, options))
                {
                    media.Connection = SdpConnection.For(address);
                }
            }
            else if (finalSession is null || (!finalSession.Address.Equals(address) && !KeepsZero(finalSession, options)))
            {
                // Nothing to inherit, or the session-level address is another relay address (e.g. another family).
                media.Connection = SdpConnection.For(address);
            }
        }
    }

    private static bool KeepsZero(SdpConnection connection, SdpRewriteOptions options) =>
        connection.IsUnspecified && !options.ReplaceZeroAddress;

    private static void RewriteIce(SdpSession sdp, RelayedMedia[] byIndex, SdpRewriteOptions options)
    {
        var sessionIce = SdpIce.HasIce(sdp);
        var anyIce = sessionIce || sdp.Media.Any(SdpIce.HasIce);
        if (options.Ice is IceMode.Remove or IceMode.Force || anyIce)
        {
            SdpIce.Strip(sdp);
        }

        // New credentials only when some m-line gets candidates (they come from the system's random source).
        string? usernameFragment = null;
        string? password = null;
        for (var i = 0; i < byIndex.Length; i++)
        {
            var media = sdp.Media[i];
            var relay = byIndex[i];
            var hadIce = sessionIce || SdpIce.HasIce(media);
            var addIce = !relay.Rejected && (options.Ice == IceMode.Force || (options.Ice == IceMode.Default && hadIce));
            if (options.Ice is IceMode.Remove or IceMode.Force || hadIce)
            {
                SdpIce.Strip(media);
            }

            if (addIce)
            {
                var muxed = WillMux(media, options.RtcpMux);
                usernameFragment ??= options.IceUsernameFragment ?? SdpIce.NewUsernameFragment();
                password ??= options.IcePassword ?? SdpIce.NewPassword();
                SdpIce.AddRelayCandidates(media, usernameFragment, password, Advertised(relay, options), relay.RtpPort, muxed ? null : relay.RtcpPort);
            }
        }
    }

    private static bool WillMux(SdpMedia media, RtcpMuxMode mode) => mode switch
    {
        RtcpMuxMode.Offer or RtcpMuxMode.Require => true,
        RtcpMuxMode.Demux or RtcpMuxMode.Reject => false,
        _ => media.HasAttribute("rtcp-mux"),
    };

    private static void ApplyRtcpMux(SdpMedia media, RtcpMuxMode mode)
    {
        switch (mode)
        {
            case RtcpMuxMode.Offer or RtcpMuxMode.Require when !media.HasAttribute("rtcp-mux"):
                media.AddAttribute("rtcp-mux");
                break;
            case RtcpMuxMode.Demux or RtcpMuxMode.Reject:
                media.RemoveAttributes("rtcp-mux");
                break;
            default:
                break;
        }
    }

    // a=rtcp:<port> [IN IP4 <address>] (RFC 3605 section 2.1).
    private static void RewriteRtcpAttribute(SdpMedia media, RelayedMedia relay, IPAddress address, SdpRewriteOptions options)
    {
        var existing = media.TryGetAttribute("rtcp", out var rtcp);
        if (relay.Rejected || options.NoRtcpAttribute)
        {
            media.RemoveAttributes("rtcp");
            return;
        }

        var muxed = media.HasAttribute("rtcp-mux");
        if (!existing && muxed)
        {
            return;
        }

        var port = muxed && options.RtcpMux == RtcpMuxMode.Require ? relay.RtpPort : relay.RtcpPort;
        var full = options.FullRtcpAttribute || (rtcp.Value?.Trim().Contains(' ', StringComparison.Ordinal) ?? false);
        var value = full
            ? string.Create(CultureInfo.InvariantCulture, $"{port} IN {(address.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4")} {address}")
            : port.ToString(CultureInfo.InvariantCulture);
        if (existing)
        {
            media.SetAttribute("rtcp", value);
        }
        else
        {
            media.InsertAttribute(0, "rtcp", value);
        }
    }

    private static void RewriteDirection(SdpSession sdp, MediaDirection direction)
    {
        sdp.RemoveAttributes(a => SdpMediaExtractor.TryParseDirection(a.Name, out _));
        var name = direction.ToString().ToLowerInvariant();
        foreach (var media in sdp.Media)
        {
            var lines = media.Lines.Where(l => l.Type == 'a' && SdpMediaExtractor.TryParseDirection(l.Value, out _)).ToList();
            if (lines.Count == 0)
            {
                media.AddAttribute(name);
                continue;
            }

            if (lines[0].Value != name)
            {
                media.ReplaceLine(lines[0], new SdpLine('a', name));
            }

            foreach (var extra in lines.Skip(1))
            {
                media.RemoveLine(extra);
            }
        }
    }

    /// <summary>The relay address in the family the receiver wants (see <see cref="SdpRewriteOptions.AddressFamily"/>).</summary>
    private static IPAddress Advertised(RelayedMedia relay, SdpRewriteOptions options)
    {
        var address = relay.Address;
        return options.AddressFamily switch
        {
            AddressFamily.InterNetworkV6 when address.AddressFamily == AddressFamily.InterNetwork => address.MapToIPv6(),
            AddressFamily.InterNetwork when address.IsIPv4MappedToIPv6 => address.MapToIPv4(),
            _ => address,
        };
    }
}
