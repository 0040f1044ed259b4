using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.Management.Api;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Management.Tests.Infrastructure;

/// <summary>Checks a call as the management API shows it against the relay's own ng <c>query</c> report, field by field.</summary>
internal static class NgAgreement
{
    public static void AssertSame(BencodeDictionary query, SessionView api)
    {
        Assert.Equal(NgReply.Integer(query, "created"), api.Created.ToUnixTimeSeconds());
        Assert.Equal(NgReply.Integer(query, "last signal"), api.LastSignal!.Value.ToUnixTimeSeconds());
        Assert.Equal("active", api.State);
        Assert.Null(api.Ended);

        long packets = 0, bytes = 0, errors = 0, kernel = 0;
        foreach (var stream in api.Streams)
        {
            foreach (var (party, tag) in new[] { (stream.Caller, api.FromTag!), (stream.Callee, api.ToTag!) })
            {
                Assert.Equal(tag, party.Tag);
                var media = (NgReply.Path(query, "tags", tag, "medias") as BencodeList)!.Items[stream.Index];
                Assert.Equal(stream.Index + 1, NgReply.Integer(media, "index"));
                Assert.Equal(stream.Type, Text(media, "type"));
                Assert.Equal(stream.Protocol, Text(media, "protocol"));
                Assert.Equal(party.Interface, Text(media, "interface"));
                Assert.Equal(party.Advertised, Text(media, "advertised address"));
                var flows = (NgReply.Path(media, "streams") as BencodeList)!;
                AssertFlow(flows.Items[0], party.Rtp);
                AssertFlow(flows.Items[1], party.Rtcp);
                foreach (var flow in new[] { party.Rtp, party.Rtcp })
                {
                    packets += flow.Packets;
                    bytes += flow.Bytes;
                    errors += flow.Errors;
                    kernel += flow.KernelPackets;
                }
            }
        }

        Assert.Equal(NgReply.Integer(query, "totals", "RTP", "packets") + NgReply.Integer(query, "totals", "RTCP", "packets"), api.Packets);
        Assert.Equal(NgReply.Integer(query, "totals", "RTP", "bytes") + NgReply.Integer(query, "totals", "RTCP", "bytes"), api.Bytes);
        Assert.Equal(NgReply.Integer(query, "totals", "RTP", "errors") + NgReply.Integer(query, "totals", "RTCP", "errors"), api.Errors);
        Assert.Equal(packets, api.Packets);
        Assert.Equal(bytes, api.Bytes);
        Assert.Equal(errors, api.Errors);
        Assert.Equal(kernel, api.KernelPackets);
    }

    /// <summary>One flow: the relay's port, the learned (else SDP) endpoint, the SDP endpoint and every counter.</summary>
    private static void AssertFlow(BencodeValue ng, FlowView api)
    {
        Assert.Equal(NgReply.Integer(ng, "local port"), Port(api.Relay));
        Assert.Equal(Endpoint(ng, "endpoint"), api.Learned ?? api.Sdp);
        Assert.Equal(Endpoint(ng, "advertised endpoint"), api.Sdp);
        Assert.Equal(NgReply.Integer(ng, "stats", "packets"), api.Packets);
        Assert.Equal(NgReply.Integer(ng, "stats", "bytes"), api.Bytes);
        Assert.Equal(NgReply.Integer(ng, "stats", "errors"), api.Errors);
        Assert.Equal(NgReply.Integer(ng, "kernel stats", "packets"), api.KernelPackets);
        Assert.Equal(NgReply.Integer(ng, "kernel stats", "bytes"), api.KernelBytes);
        var flags = (NgReply.Path(ng, "flags") as BencodeList)!.Items.Select(f => f.AsText()).ToList();
        Assert.Equal(api.Learned is not null, flags.Contains("confirmed"));
    }

    public static string? Text(BencodeValue value, params string[] path) => NgReply.Path(value, path)?.AsText();

    private static long Port(string endPoint) => long.Parse(endPoint[(endPoint.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private static string? Endpoint(BencodeValue ng, string key)
    {
        var address = Text(ng, key, "address");
        return string.IsNullOrEmpty(address) ? null : $"{address}:{NgReply.Integer(ng, key, "port")}";
    }
}
