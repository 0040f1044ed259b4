using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MediaRelay.Control.Sdp;
using MediaRelay.Core.Api;
using MediaRelay.Protocols;
using MediaRelay.Protocols.Bencode;
using MediaRelay.Protocols.MediaProxy;
using MediaRelay.Protocols.Rtcp;
using MediaRelay.Protocols.Rtp;
using MediaRelay.Protocols.Rtpproxy;
using MediaRelay.Protocols.Sdp;
using MediaRelay.Protocols.Stun;

namespace MediaRelay.Fuzz;

/// <summary>
/// One target per parser that sees wire input. Each must never throw; where the parser has an independent
/// definition (RFC 3550, RFC 5389, RFC 7983) the target checks the parser's verdict against it, and where a value
/// can be written back it checks the round trip.
/// </summary>
public static class ParserTargets
{
    private static readonly IPAddress RelayV4 = IPAddress.Parse("203.0.113.1");
    private static readonly IPAddress RelayV6 = IPAddress.Parse("2001:db8::1");
    private static readonly IPAddress Trusted = IPAddress.Parse("198.51.100.9");

    /// <summary>RtpHeader.TryRead against RFC 3550 section 5.1/5.3.1: accepted exactly when version 2 and the CSRCs and extension fit.</summary>
    public static void Rtp(ReadOnlySpan<byte> input)
    {
        var ok = RtpHeader.TryRead(input, out var header);
        var expected = ReferenceRtpHeaderLength(input);
        FuzzInvariantException.Check(ok == (expected > 0), $"RtpHeader.TryRead said {ok}, the RFC says header length {expected}");
        if (ok)
        {
            FuzzInvariantException.Check(header.HeaderLength == expected, $"HeaderLength {header.HeaderLength}, expected {expected}");
            FuzzInvariantException.Check(header.PayloadType == (input[1] & 0x7F) && header.Marker == ((input[1] & 0x80) != 0), "payload type or marker");
            FuzzInvariantException.Check(header.SequenceNumber == BinaryPrimitives.ReadUInt16BigEndian(input[2..]), "sequence number");
            FuzzInvariantException.Check(header.Ssrc == BinaryPrimitives.ReadUInt32BigEndian(input[8..]), "SSRC");
        }

        Span<byte> written = stackalloc byte[RtpHeader.FixedSize];
        if (input.Length >= 2 && RtpHeader.TryWrite(written, (byte)(input[0] & 0x7F), (input[1] & 1) != 0, 7, 8, 9))
        {
            FuzzInvariantException.Check(RtpHeader.TryRead(written, out var back) && back.HeaderLength == RtpHeader.FixedSize
                && back.SequenceNumber == 7 && back.Ssrc == 9, "a written header does not read back");
        }
    }

    /// <summary>The RTP header length by RFC 3550, or 0 when the packet is not a version-2 RTP packet whose header fits.</summary>
    internal static int ReferenceRtpHeaderLength(ReadOnlySpan<byte> p)
    {
        if (p.Length < 12 || (p[0] >> 6) != 2)
        {
            return 0;
        }

        long length = 12 + (4L * (p[0] & 0x0F));
        if ((p[0] & 0x10) != 0)
        {
            if (length + 4 > p.Length)
            {
                return 0;
            }

            length += 4 + (4L * ((p[(int)length + 2] << 8) | p[(int)length + 3]));
        }

        return length <= p.Length ? (int)length : 0;
    }

    /// <summary>RtcpReader.TryRead: never throws; a report it returns lies inside one length-checked packet.</summary>
    public static void Rtcp(ReadOnlySpan<byte> input)
    {
        if (RtcpReader.TryRead(input, out var summary))
        {
            FuzzInvariantException.Check(input.Length >= 8, "an RTCP summary from fewer than 8 bytes");
            FuzzInvariantException.Check(!summary.HasReport || input.Length >= 32, "a report block from fewer than 32 bytes");
        }

        // The classifier's first-header check and the reader must agree on the version.
        if (RtcpReader.TryRead(input, out _))
        {
            FuzzInvariantException.Check((input[0] >> 6) == 2, "RTCP read from a packet that is not version 2");
        }
    }

    /// <summary>StunMessage.IsStun against RFC 5389 section 6.</summary>
    public static void Stun(ReadOnlySpan<byte> input)
    {
        var reference = input.Length >= 20 && (input[0] & 0xC0) == 0
            && BinaryPrimitives.ReadUInt32BigEndian(input[4..]) == 0x2112A442
            && BinaryPrimitives.ReadUInt16BigEndian(input[2..]) % 4 == 0
            && BinaryPrimitives.ReadUInt16BigEndian(input[2..]) == input.Length - 20;
        FuzzInvariantException.Check(StunMessage.IsStun(input) == reference, $"IsStun said {!reference}");

        Span<byte> request = stackalloc byte[StunMessage.HeaderSize];
        if (input.Length >= 12 && StunMessage.TryWriteBindingRequest(request, input[..12]))
        {
            FuzzInvariantException.Check(StunMessage.IsStun(request) && PacketClassifier.Classify(request) == PacketKind.Stun,
                "a written binding request is not STUN");
        }
    }

    /// <summary>PacketClassifier against RFC 7983 section 7, RFC 5761 section 4 and RFC 3550 A.2, written out independently.</summary>
    public static void Classifier(ReadOnlySpan<byte> input)
    {
        var kind = PacketClassifier.Classify(input);
        var expected = ReferenceKind(input);
        FuzzInvariantException.Check(kind == expected, $"Classify said {kind}, expected {expected}");
        var rtcpHeader = PacketClassifier.IsRtcpHeader(input);
        var dtls = PacketClassifier.IsDtlsRecord(input);
        if (kind == PacketKind.Rtcp)
        {
            FuzzInvariantException.Check(rtcpHeader, "RTCP without a valid first header");
        }

        if (kind == PacketKind.Dtls)
        {
            FuzzInvariantException.Check(dtls, "DTLS that is no DTLS record");
        }

        if (kind != PacketKind.Invalid)
        {
            var mayLatch = PacketClassifier.MayLatch(kind, input);
            FuzzInvariantException.Check(mayLatch == !(kind == PacketKind.Dtls && input[0] >= 32), "MayLatch");
        }
    }

    private static PacketKind ReferenceKind(ReadOnlySpan<byte> p)
    {
        if (p.Length == 0)
        {
            return PacketKind.Invalid;
        }

        var b = p[0];
        if (b <= 3)
        {
            return p.Length >= 20 && BinaryPrimitives.ReadUInt32BigEndian(p[4..]) == 0x2112A442
                && BinaryPrimitives.ReadUInt16BigEndian(p[2..]) % 4 == 0 && BinaryPrimitives.ReadUInt16BigEndian(p[2..]) == p.Length - 20
                ? PacketKind.Stun : PacketKind.Invalid;
        }

        if (b is >= 20 and <= 63)
        {
            if (p.Length < 13)
            {
                return PacketKind.Invalid;
            }

            if (b >= 32)
            {
                return PacketKind.Dtls;
            }

            return b <= 25 && p[1] == 0xFE && (p[2] == 0xFF || p[2] == 0xFD) && ((p[11] << 8) | p[12]) + 13 <= p.Length
                ? PacketKind.Dtls : PacketKind.Invalid;
        }

        if (b < 128 || b > 191 || p.Length < 8)
        {
            return PacketKind.Invalid;
        }

        if (p[1] is >= 192 and <= 223)
        {
            var type = p[1];
            var known = type is (>= 192 and <= 195) or (>= 200 and <= 213);
            var padding = (b & 0x20) != 0;
            var words = ((p[2] << 8) | p[3]) + 1;
            return known && !padding && words * 4 <= p.Length ? PacketKind.Rtcp : PacketKind.Invalid;
        }

        return ReferenceRtpHeaderLength(p) > 0 ? PacketKind.Rtp : PacketKind.Invalid;
    }

    /// <summary>BencodeReader.TryParse; what parses writes back to bytes that parse to the same bytes again.</summary>
    public static void Bencode(ReadOnlySpan<byte> input)
    {
        if (!BencodeReader.TryParse(input, out var value, out var error))
        {
            FuzzInvariantException.Check(value is null && error is not null, "a failed parse with a value or without an error");
            return;
        }

        var written = BencodeWriter.ToArray(value!);
        FuzzInvariantException.Check(BencodeReader.TryParse(written, out var again, out var againError), $"written bencode does not parse: {againError}");
        FuzzInvariantException.Check(BencodeWriter.ToArray(again!).AsSpan().SequenceEqual(written), "bencode round trip is not stable");
    }

    /// <summary>NgJson.TryParse; what parses writes back to JSON that parses to the same JSON again.</summary>
    public static void NgJson(ReadOnlySpan<byte> input)
    {
        if (!Protocols.Bencode.NgJson.TryParse(input, out var value, out var error))
        {
            FuzzInvariantException.Check(value is null && error is not null, "a failed parse with a value or without an error");
            return;
        }

        var written = Protocols.Bencode.NgJson.ToArray(value!);
        FuzzInvariantException.Check(Protocols.Bencode.NgJson.TryParse(written, out var again, out var againError), $"written ng JSON does not parse: {againError}");
        FuzzInvariantException.Check(Protocols.Bencode.NgJson.ToArray(again!).AsSpan().SequenceEqual(written), "ng JSON round trip is not stable");
        var bencode = BencodeWriter.ToArray(value!);
        FuzzInvariantException.Check(BencodeReader.TryParse(bencode, out _, out _), "ng JSON value does not write as bencode that parses");
    }

    /// <summary>
    /// SdpSession.TryParse, then what the ng offer path does with SDP that parses: extract the media, rewrite it for
    /// the relay under options picked from the input, and check that the rewritten SDP parses again and names the relay.
    /// </summary>
    public static void Sdp(ReadOnlySpan<byte> input)
    {
        if (!SdpSession.TryParse(input, out var session, out var error))
        {
            FuzzInvariantException.Check(session is null && error is not null, "a failed parse with a session or without an error");
            return;
        }

        var text = session!.ToString();
        FuzzInvariantException.Check(SdpSession.TryParse(text, out var reparsed, out var reparseError), $"unchanged SDP does not parse again: {reparseError}");
        FuzzInvariantException.Check(reparsed!.Media.Count == session.Media.Count, "unchanged SDP changed its m-line count");

        SdpMediaExtractor.TryExtract(session, null, out var media, out _);
        FuzzInvariantException.Check(media.Count == session.Media.Count, "extractor lost m-lines");
        SdpMediaExtractor.TryExtract(session, Trusted, out var trusted, out var trustedError);
        FuzzInvariantException.Check(trustedError is null && trusted.Count == session.Media.Count, "a trusted address still failed extraction");

        var seed = 0u;
        foreach (var b in input)
        {
            seed = (seed * 31) + b;
        }

        var options = new SdpRewriteOptions
        {
            ReplaceSessionConnection = (seed & 1) != 0,
            ReplaceOrigin = (seed & 2) != 0,
            ReplaceZeroAddress = (seed & 4) != 0,
            Ice = (IceMode)((seed >> 3) % 3),
            RtcpMux = (RtcpMuxMode)((seed >> 5) % (uint)Enum.GetValues<RtcpMuxMode>().Length),
            AddressFamily = ((seed >> 8) % 3) switch { 0 => null, 1 => AddressFamily.InterNetwork, _ => AddressFamily.InterNetworkV6 },
            Direction = ((seed >> 10) % 5) switch { 0 => MediaDirection.SendRecv, 1 => MediaDirection.Inactive, 2 => MediaDirection.SendOnly, _ => null },
            FullRtcpAttribute = (seed & 0x2000) != 0,
            NoRtcpAttribute = (seed & 0x4000) != 0,
            TransportProtocol = (seed & 0x8000) != 0 ? "RTP/AVP" : null,
        };
        var relayAddress = (seed & 0x10000) != 0 ? RelayV6 : RelayV4;
        var relayed = new List<RelayedMedia>(session.Media.Count);
        for (var i = 0; i < session.Media.Count; i++)
        {
            var rejected = session.Media[i].Port == 0 || ((seed >> (17 + (i % 8))) & 1) != 0 && i % 3 == 2;
            relayed.Add(new RelayedMedia(i, relayAddress, rejected ? 0 : 30000 + (2 * i), rejected ? 0 : 30001 + (2 * i)));
        }

        var zeroBefore = session.Media.Select(m => (m.Connection ?? session.Connection)?.IsUnspecified == true).ToArray();
        var rewritten = SdpRewriter.Rewrite(session, relayed, options);
        FuzzInvariantException.Check(SdpSession.TryParse(rewritten, out var result, out var resultError), $"rewritten SDP does not parse: {resultError}");
        FuzzInvariantException.Check(result!.Media.Count == relayed.Count, "rewritten SDP changed its m-line count");
        var advertised = options.AddressFamily switch
        {
            AddressFamily.InterNetworkV6 when relayAddress.AddressFamily == AddressFamily.InterNetwork => relayAddress.MapToIPv6(),
            _ => relayAddress,
        };
        for (var i = 0; i < relayed.Count; i++)
        {
            var m = result.Media[i];
            FuzzInvariantException.Check(m.Port == relayed[i].RtpPort, $"m-line {i} port {m.Port}, relay port {relayed[i].RtpPort}");
            var connection = m.Connection ?? result.Connection;
            FuzzInvariantException.Check(connection is not null, $"m-line {i} has no connection address after the rewrite");
            var keptZero = zeroBefore[i] && !options.ReplaceZeroAddress;
            FuzzInvariantException.Check(keptZero ? connection!.IsUnspecified : connection!.Address.Equals(advertised),
                $"m-line {i} connection {connection!.Address}, relay {advertised}");
        }
    }

    /// <summary>MediaProxyFraming.Find over bytes and text, and MediaProxyRequest.TryParse of the frame and of the whole input.</summary>
    public static void MediaProxy(ReadOnlySpan<byte> input)
    {
        var status = MediaProxyFraming.Find(input, out var length);
        FuzzInvariantException.Check(status == MediaProxyFrameStatus.Complete ? length > 0 && length <= input.Length : length == 0,
            $"frame status {status} with length {length} of {input.Length}");
        if (status == MediaProxyFrameStatus.TooLarge)
        {
            FuzzInvariantException.Check(input.Length > MediaProxyRequest.MaxLength, "TooLarge below the limit");
        }

        Touch(input);
        if (status == MediaProxyFrameStatus.Complete)
        {
            Touch(input[..length]);
        }

        var text = Encoding.UTF8.GetString(input);
        var textStatus = MediaProxyFraming.Find(text.AsSpan(), out var textLength);
        FuzzInvariantException.Check(textStatus != MediaProxyFrameStatus.Complete || (textLength > 0 && textLength <= text.Length), "text frame length");
        _ = MediaProxyRequest.TryParse(text, out _, out _);

        static void Touch(ReadOnlySpan<byte> bytes)
        {
            if (!MediaProxyRequest.TryParse(bytes, out var request, out var error))
            {
                FuzzInvariantException.Check(request is null && error is not null, "a failed parse with a request or without an error");
                return;
            }

            _ = request!.CallId;
            _ = request.FromTag;
            _ = request.ToTag;
            _ = request.Type;
            _ = request.CSeq;
            _ = request.DialogId?.ToString();
            _ = request.SignalingIp?.ToString();
            foreach (var media in request.Media)
            {
                _ = media.ToString();
            }

            foreach (var header in request.Headers)
            {
                FuzzInvariantException.Check(request.GetHeader(header.Key) is not null, "a listed header is not found");
            }
        }
    }

    /// <summary>RtpproxyCommand.TryParse as a datagram (with cookie) and as a stream read (without).</summary>
    public static void Rtpproxy(ReadOnlySpan<byte> input)
    {
        foreach (var hasCookie in (ReadOnlySpan<bool>)[true, false])
        {
            if (!RtpproxyCommand.TryParse(input, hasCookie, out var command, out var error))
            {
                FuzzInvariantException.Check(command is null, "a failed parse with a command");
                _ = error.ToString();
                continue;
            }

            _ = command!.Kind;
            _ = command.CallId;
            _ = command.Address?.ToString();
            _ = command.FromTag?.ToString();
            _ = command.ToTag?.ToString();
            _ = command.UpdateModifiers?.Codecs?.Count;
            FuzzInvariantException.Check(command.Port is >= 0 and <= 65535, $"port {command.Port}");
            FuzzInvariantException.Check(hasCookie || command.Cookie is null, "a cookie where none was expected");
        }
    }
}
