using MediaRelay.Control.Ng;
using MediaRelay.Core.Api;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Tests.Ng;

public class NgRepliesTests
{
    /// <summary>Proxies match these literally; a rewording would break their scripts.</summary>
    [Fact]
    public void ErrorStringsAreRtpengines()
    {
        Assert.Equal("Ran out of ports", NgErrors.OutOfPorts);
        Assert.Equal("Parallel session limit reached", NgErrors.SessionLimit);
        Assert.Equal("Unknown call-id", NgErrors.UnknownCallId);
        Assert.Equal("No call-id in message", NgErrors.NoCallId);
        Assert.Equal("No from-tag in message", NgErrors.NoFromTag);
        Assert.Equal("No to-tag in message", NgErrors.NoToTag);
        Assert.Equal("No SDP body in message", NgErrors.NoSdpBody);
        Assert.Equal("Failed to parse SDP", NgErrors.SdpParseFailed);
        Assert.Equal("Unrecognized command", NgErrors.UnrecognizedCommand);
    }

    [Fact]
    public void ErrorReplyWiresAsResultThenReason()
    {
        var wire = System.Text.Encoding.ASCII.GetString(BencodeWriter.ToArray(NgReplies.Error(NgErrors.NoSdpBody)));

        Assert.Equal("d6:result5:error12:error-reason22:No SDP body in messagee", wire);
    }

    [Theory]
    [InlineData(SessionError.OutOfPorts, "error", "Ran out of ports")]
    [InlineData(SessionError.SessionLimit, "error", "Parallel session limit reached")]
    [InlineData(SessionError.UnknownCall, "error", "Unknown call-id")]
    [InlineData(SessionError.TagMismatch, "error", "Unknown call-id")]
    public void SessionErrorsMapToTheirStrings(SessionError error, string result, string reason)
    {
        var reply = NgReplies.FromSessionError(error, new NgRequest(new BencodeDictionary()))!;

        Assert.Equal(result, reply.GetString("result"));
        Assert.Equal(reason, reply.GetString("error-reason"));
    }

    [Fact]
    public void NoErrorMapsToNoReply() =>
        Assert.Null(NgReplies.FromSessionError(SessionError.None, new NgRequest(new BencodeDictionary())));

    [Fact]
    public void LoadLimitReplyHasNoErrorReason()
    {
        var request = new NgRequest(new BencodeDictionary { { "supports", new BencodeList { "load limit" } } });

        var reply = NgReplies.SessionLimitReached(request);

        Assert.Equal("load limit", reply.GetString("result"));
        Assert.False(reply.ContainsKey("error-reason"));
    }
}
