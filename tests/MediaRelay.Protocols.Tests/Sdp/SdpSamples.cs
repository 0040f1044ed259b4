namespace MediaRelay.Protocols.Tests.Sdp;

/// <summary>Real-world-shaped session descriptions, written with LF and converted where a test needs CRLF.</summary>
internal static class SdpSamples
{
    public const string LinphoneAudio = """
        v=0
        o=alice 3418 2754 IN IP4 192.168.1.20
        s=Talk
        c=IN IP4 192.168.1.20
        t=0 0
        a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics
        m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100
        a=rtpmap:96 opus/48000/2
        a=fmtp:96 useinbandfec=1
        a=rtpmap:97 speex/16000
        a=fmtp:97 vbr=on
        a=rtpmap:98 speex/8000
        a=fmtp:98 vbr=on
        a=fmtp:18 annexb=yes
        a=rtpmap:101 telephone-event/48000
        a=rtpmap:99 telephone-event/16000
        a=rtpmap:100 telephone-event/8000

        """;

    public const string ZoiperAudioVideo = """
        v=0
        o=Z 1700000000000 1 IN IP4 10.0.0.5
        s=Z
        c=IN IP4 10.0.0.5
        t=0 0
        m=audio 8000 RTP/AVP 106 9 98 101 0 8 3
        a=rtpmap:106 opus/48000/2
        a=fmtp:106 sprop-maxcapturerate=16000; minptime=20; useinbandfec=1
        a=rtpmap:98 telephone-event/48000
        a=fmtp:98 0-16
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-16
        a=sendrecv
        a=rtcp-mux
        m=video 8002 RTP/AVP 99 100
        b=AS:2048
        a=rtpmap:99 H264/90000
        a=fmtp:99 profile-level-id=42801F; packetization-mode=1
        a=rtpmap:100 VP8/90000
        a=rtcp-fb:* nack
        a=rtcp-fb:* nack pli
        a=sendrecv

        """;

    public const string WebRtc = """
        v=0
        o=- 4611731400430051336 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0
        a=extmap-allow-mixed
        a=msid-semantic: WMS stream1
        m=audio 54278 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
        c=IN IP4 203.0.113.7
        a=rtcp:9 IN IP4 0.0.0.0
        a=candidate:3348148302 1 udp 2113937151 192.168.0.2 54278 typ host generation 0 network-cost 999
        a=candidate:842163049 1 udp 1677729535 203.0.113.7 54278 typ srflx raddr 192.168.0.2 rport 54278 generation 0 network-cost 999
        a=end-of-candidates
        a=ice-ufrag:EsAw
        a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y
        a=ice-options:trickle
        a=fingerprint:sha-256 DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF:95:60:18:90:AF:D8:07:09:DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF
        a=setup:actpass
        a=mid:0
        a=sendrecv
        a=msid:stream1 track1
        a=rtcp-mux
        a=rtpmap:111 opus/48000/2
        a=rtcp-fb:111 transport-cc
        a=fmtp:111 minptime=10;useinbandfec=1
        a=rtpmap:63 red/48000/2
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:13 CN/8000
        a=rtpmap:110 telephone-event/48000
        a=rtpmap:126 telephone-event/8000
        a=ssrc:1001 cname:abcdefgh

        """;

    public const string Ipv6 = """
        v=0
        o=bob 2890844527 2890844527 IN IP6 2001:db8::2
        s=-
        c=IN IP6 2001:db8::2
        t=0 0
        m=audio 49172 RTP/AVP 0 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:101 telephone-event/8000
        a=ptime:20

        """;

    public const string RejectedVideo = """
        v=0
        o=carol 1 2 IN IP4 198.51.100.9
        s=call
        c=IN IP4 198.51.100.9
        t=0 0
        m=audio 30000 RTP/AVP 8 0
        a=rtpmap:8 PCMA/8000
        m=video 0 RTP/AVP 96
        a=rtpmap:96 H264/90000
        """;

    /// <summary>The same text with every LF turned into CRLF.</summary>
    public static string Crlf(string text) => text.ReplaceLineEndings("\r\n");

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var sdp in new[] { LinphoneAudio, ZoiperAudioVideo, WebRtc, Ipv6, RejectedVideo })
        {
            data.Add(sdp);
            data.Add(Crlf(sdp));
        }

        return data;
    }
}
