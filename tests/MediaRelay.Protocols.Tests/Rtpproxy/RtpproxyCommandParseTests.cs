using System.Net;
using System.Text;
using MediaRelay.Protocols.Rtpproxy;
using static MediaRelay.Protocols.Tests.Rtpproxy.RtpproxySamples;

namespace MediaRelay.Protocols.Tests.Rtpproxy;

public class RtpproxyCommandParseTests
{
    private static RtpproxyCommand Parse(string wire, bool hasCookie = true)
    {
        Assert.True(RtpproxyCommand.TryParse(Encoding.UTF8.GetBytes(wire), hasCookie, out var command, out var error), error.ToString());
        Assert.True(error.IsNone);
        Assert.True(RtpproxyCommand.TryParse(wire, hasCookie, out var fromString, out var stringError), stringError.ToString());
        Assert.Equal(command!.Kind, fromString!.Kind);
        Assert.Equal(command.Arguments, fromString.Arguments);
        return command;
    }

    [Fact]
    public void VersionCheck()
    {
        var command = Parse(GetVersion);

        Assert.Equal("4242_0", command.Cookie);
        Assert.Equal(RtpproxyCommandKind.Version, command.Kind);
        Assert.True(command.IsSupported);
        Assert.Empty(command.Arguments);
        Assert.Equal("", command.Modifiers);
        Assert.Null(command.CallId);
    }

    [Theory]
    [InlineData(FeatureMultipleStreams, "20050322")]
    [InlineData(FeatureRepacketization, "20071116")]
    [InlineData(FeatureCodecList, "20081102")]
    public void FeatureChecksKamailioSends(string wire, string date)
    {
        var command = Parse(wire);

        Assert.Equal(RtpproxyCommandKind.VersionFeature, command.Kind);
        Assert.Equal(date, command.FeatureDate);
        Assert.True(RtpproxyFeatures.IsKnown(command.FeatureDate));
        Assert.Equal("", command.Modifiers);
    }

    [Fact]
    public void InviteOfferFromRtpproxyManage()
    {
        var command = Parse(InviteOffer);

        Assert.Equal("4242_4", command.Cookie);
        Assert.Equal(RtpproxyCommandKind.Update, command.Kind);
        Assert.Equal("c0,8,101", command.Modifiers);
        Assert.Equal(CallId, command.CallId);
        Assert.Equal(IPAddress.Parse("198.51.100.10"), command.Address);
        Assert.Equal(49170, command.Port);
        Assert.Equal(new RtpproxyTag(CallerTag, 1, true), command.FromTag);
        Assert.Null(command.ToTag);
        Assert.Null(command.NotifySocket);
        Assert.Null(command.NotifyTag);

        var modifiers = command.UpdateModifiers!;
        Assert.False(modifiers.Ipv6);
        Assert.Equal(new[] { 0, 8, 101 }, modifiers.Codecs!);
        Assert.Equal("0,8,101", modifiers.CodecsText);
        Assert.Equal(RtpproxySymmetry.Unspecified, modifiers.Symmetry);
        Assert.Empty(modifiers.Directions);
        Assert.Null(modifiers.PacketizationMs);
        Assert.Equal("", modifiers.Unknown);
    }

    [Fact]
    public void OkAnswerFromRtpproxyManage()
    {
        var command = Parse(OkAnswer);

        Assert.Equal(RtpproxyCommandKind.Lookup, command.Kind);
        Assert.Equal(IPAddress.Parse("203.0.113.5"), command.Address);
        Assert.Equal(3456, command.Port);
        Assert.Equal(new RtpproxyTag(CallerTag, 1, true), command.FromTag);
        Assert.Equal(new RtpproxyTag(CalleeTag, 1, true), command.ToTag);
        Assert.Equal(new[] { 0, 101 }, command.UpdateModifiers!.Codecs!);
    }

    [Fact]
    public void ByeAndCancelDeleteWithBareTags()
    {
        var bye = Parse(ByeDelete);
        Assert.Equal(RtpproxyCommandKind.Delete, bye.Kind);
        Assert.Equal(CallId, bye.CallId);
        Assert.Equal(new RtpproxyTag(CallerTag, RtpproxyTag.DefaultMediaNumber, false), bye.FromTag);
        Assert.Equal(new RtpproxyTag(CalleeTag, RtpproxyTag.DefaultMediaNumber, false), bye.ToTag);
        Assert.False(bye.Weak);

        var cancel = Parse(CancelDelete);
        Assert.Equal(RtpproxyCommandKind.Delete, cancel.Kind);
        Assert.Equal(CallerTag, cancel.FromTag!.Value.Value);
        Assert.Null(cancel.ToTag);
    }

    [Fact]
    public void Ipv6Offer()
    {
        var command = Parse(InviteOfferIpv6);

        Assert.True(command.UpdateModifiers!.Ipv6);
        Assert.Equal(IPAddress.Parse("2001:db8::10"), command.Address);
        Assert.Equal(49170, command.Port);
    }

    [Fact]
    public void SecondMediaLineCarriesMedianumTwo()
    {
        var command = Parse(InviteOfferSecondStream);

        Assert.Equal(new RtpproxyTag(CallerTag, 2, true), command.FromTag);
        Assert.Equal("4242_9", command.Cookie);
        Assert.Equal(new[] { 31 }, command.UpdateModifiers!.Codecs!);
        Assert.Equal(51372, command.Port);
    }

    [Fact]
    public void BridgedRepacketizedAsymmetricOffer()
    {
        var modifiers = Parse(InviteOfferBridged).UpdateModifiers!;

        Assert.Equal(RtpproxySymmetry.Asymmetric, modifiers.Symmetry);
        Assert.Equal(new[] { RtpproxyDirection.Internal, RtpproxyDirection.External }, modifiers.Directions);
        Assert.Equal(20, modifiers.PacketizationMs);
        Assert.Equal(new[] { 0, 101 }, modifiers.Codecs!);
        Assert.False(modifiers.Ipv6);
        Assert.Equal("AIEZ20c0,101", modifiers.Text);
    }

    [Fact]
    public void AutoBridgeOnSecondIpv6StreamRepeatsTheSix()
    {
        var modifiers = Parse(InviteOfferAutoBridgeSecondStream).UpdateModifiers!;

        Assert.True(modifiers.Ipv6);
        Assert.Equal(new[] { RtpproxyDirection.External, RtpproxyDirection.Internal }, modifiers.Directions);
        Assert.Equal(new[] { 0 }, modifiers.Codecs!);
    }

    [Fact]
    public void ViaBranchStaysPartOfTheCallId()
    {
        Assert.Equal(CallId + ";z9hG4bK776asdhds", Parse(InviteOfferViaBranch).CallId);
    }

    [Fact]
    public void SevenArgumentUpdateIsReadAsRtpproxyReadsIt()
    {
        // Kamailio means "from to timeout_socket"; rtpproxy reads "from notify_socket notify_tag".
        var command = Parse(ReInviteWithTimeoutSocket);

        Assert.Equal(new RtpproxyTag(CallerTag, 1, true), command.FromTag);
        Assert.Null(command.ToTag);
        Assert.Equal(CalleeTag + ";1", command.NotifySocket);
        Assert.Equal("unix:/run/kamailio/timeout.sock", command.NotifyTag);
        Assert.Equal(
            new[] { CallId, "198.51.100.10", "49170", CallerTag + ";1", CalleeTag + ";1", "unix:/run/kamailio/timeout.sock" },
            command.Arguments);
    }

    [Fact]
    public void EightArgumentUpdateHasToTagAndNotifyPair()
    {
        var command = Parse("c1 U cid 192.0.2.1 4000 ft;1 tt;1 tcp:127.0.0.1:9999 call%20one%3Bx");

        Assert.Equal(new RtpproxyTag("tt", 1, true), command.ToTag);
        Assert.Equal("tcp:127.0.0.1:9999", command.NotifySocket);
        Assert.Equal("call one;x", command.NotifyTag);
    }

    [Fact]
    public void LateOfferAndAckAnswerSwapTags()
    {
        var late = Parse(LateOfferOk);
        Assert.Equal(RtpproxyCommandKind.Update, late.Kind);
        Assert.Equal(CalleeTag, late.FromTag!.Value.Value);
        Assert.Equal(CallerTag, late.ToTag!.Value.Value);

        var ack = Parse(AckAnswer);
        Assert.Equal(RtpproxyCommandKind.Lookup, ack.Kind);
        Assert.Equal(CalleeTag, ack.FromTag!.Value.Value);
    }

    [Fact]
    public void RtpStatQuery()
    {
        var command = Parse(RtpStat);

        Assert.Equal(RtpproxyCommandKind.Query, command.Kind);
        Assert.Equal(new RtpproxyTag(CallerTag, 1, true), command.FromTag);
        Assert.Equal(new RtpproxyTag(CalleeTag, 1, false), command.ToTag);
        Assert.False(command.Verbose);
        Assert.Empty(command.StatNames);
    }

    [Fact]
    public void QueryWithCounterNames()
    {
        var command = Parse("k Qv cid ft;1 tt;1 ttl npkts_ina nrelayed");

        Assert.True(command.Verbose);
        Assert.Equal(new[] { "ttl", "npkts_ina", "nrelayed" }, command.StatNames);
    }

    [Fact]
    public void StatsAndInfo()
    {
        var stats = Parse("k Gv nsess_created npkts_rcvd");
        Assert.Equal(RtpproxyCommandKind.GetStats, stats.Kind);
        Assert.True(stats.Verbose);
        Assert.Equal(new[] { "nsess_created", "npkts_rcvd" }, stats.StatNames);

        var bare = Parse("k G");
        Assert.Empty(bare.StatNames);

        var info = Parse("k Ibl");
        Assert.Equal(RtpproxyCommandKind.Info, info.Kind);
        Assert.True(info.Brief);
        Assert.True(info.Load);
    }

    [Fact]
    public void WeakDelete()
    {
        var command = Parse("k Dw cid ft tt");

        Assert.True(command.Weak);
        Assert.Equal("w", command.Modifiers);
    }

    [Theory]
    [InlineData(StartRecording, RtpproxyCommandKind.Record, "", CallerTag, false, CalleeTag, false)]
    [InlineData(Stream2Uac, RtpproxyCommandKind.Play, "3", CallerTag, true, CalleeTag, true)]
    [InlineData(Stream2UacNoToTag, RtpproxyCommandKind.Play, "-1", CallerTag, true, null, false)]
    [InlineData(StopStream2Uac, RtpproxyCommandKind.NoPlay, "", CallerTag, true, CalleeTag, true)]
    [InlineData("k C cid /tmp/x ft tt", RtpproxyCommandKind.Copy, "", "ft", false, "tt", false)]
    [InlineData("k N cid ft", RtpproxyCommandKind.NoRecord, "", "ft", false, null, false)]
    public void RecognisedButUnsupportedCommands(string wire, RtpproxyCommandKind kind, string modifiers,
        string from, bool fromMedianum, string? to, bool toMedianum)
    {
        var command = Parse(wire);

        Assert.Equal(kind, command.Kind);
        Assert.False(command.IsSupported);
        Assert.Equal(modifiers, command.Modifiers);
        Assert.Equal(new RtpproxyTag(from, 1, fromMedianum), command.FromTag);
        Assert.Equal(to is null ? null : new RtpproxyTag(to, 1, toMedianum), command.ToTag);
        Assert.NotNull(command.CallId);
    }

    [Fact]
    public void DeleteAllIsRecognised()
    {
        var command = Parse("k X");

        Assert.Equal(RtpproxyCommandKind.DeleteAll, command.Kind);
        Assert.False(command.IsSupported);
    }

    [Fact]
    public void UnixSocketCommandHasNoCookie()
    {
        var command = Parse(InviteOfferUnix, hasCookie: false);

        Assert.Null(command.Cookie);
        Assert.Equal(RtpproxyCommandKind.Update, command.Kind);
        Assert.Equal(CallId, command.CallId);
        Assert.Equal(new RtpproxyTag(CallerTag, 1, true), command.FromTag);
    }

    [Theory]
    [InlineData("V\n")]
    [InlineData("V\r\n")]
    [InlineData("  V  ")]
    [InlineData("\tv")]
    public void StreamCommandsTolerateSurroundingWhitespaceAndCase(string wire)
    {
        var command = Parse(wire, hasCookie: false);

        Assert.Equal(RtpproxyCommandKind.Version, command.Kind);
        Assert.Null(command.Cookie);
    }

    [Fact]
    public void SeparatorRunsAndLowerCaseLettersAreAccepted()
    {
        var command = Parse("ck \t u6SC0,8\r\n cid\t\t2001:db8::1  0 \n ft;3 \r\n");

        Assert.Equal("ck", command.Cookie);
        Assert.Equal(RtpproxyCommandKind.Update, command.Kind);
        Assert.Equal(RtpproxySymmetry.Symmetric, command.UpdateModifiers!.Symmetry);
        Assert.Equal(new[] { 0, 8 }, command.UpdateModifiers.Codecs!);
        Assert.Equal(0, command.Port);
        Assert.Equal(new RtpproxyTag("ft", 3, true), command.FromTag);
    }

    [Fact]
    public void VfInLowerCase()
    {
        var command = Parse("k vf 20081224");

        Assert.Equal(RtpproxyCommandKind.VersionFeature, command.Kind);
        Assert.Equal("20081224", command.FeatureDate);
    }

    [Fact]
    public void HoldAddressesParse()
    {
        Assert.Equal(IPAddress.Any, Parse("k U cid 0.0.0.0 4000 ft;1").Address);
        Assert.Equal(IPAddress.IPv6Any, Parse("k U6 cid :: 4000 ft;1").Address);
    }

    [Fact]
    public void Ipv4AddressWithSixFlagIsKept()
    {
        // Kamailio sends the SIP source address (IPv4) with '6' when only the SDP is IPv6.
        var command = Parse("k U6 cid 192.0.2.7 4000 ft;1");

        Assert.True(command.UpdateModifiers!.Ipv6);
        Assert.Equal(IPAddress.Parse("192.0.2.7"), command.Address);
    }

    [Fact]
    public void AllModifiers()
    {
        var modifiers = Parse("k Uasweiz30c8,,0,l10.0.0.1r[2001:db8::1]nq!6 cid 192.0.2.1 4000 ft;1").UpdateModifiers!;

        Assert.Equal(RtpproxySymmetry.Symmetric, modifiers.Symmetry);
        Assert.True(modifiers.Weak);
        Assert.Equal(new[] { RtpproxyDirection.External, RtpproxyDirection.Internal }, modifiers.Directions);
        Assert.Equal(30, modifiers.PacketizationMs);
        Assert.Equal("8,,0,", modifiers.CodecsText);
        Assert.Equal(new[] { 8, 0 }, modifiers.Codecs!);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), modifiers.LocalAddress);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), modifiers.RemoteAddress);
        Assert.True(modifiers.NewPort);
        Assert.True(modifiers.Ipv6);
        Assert.Equal("q!", modifiers.Unknown);
    }

    [Theory]
    [InlineData("tag;1", "tag", 1, true)]
    [InlineData("tag;12", "tag", 12, true)]
    [InlineData("tag;0", "tag", 0, true)]
    [InlineData("tag;007", "tag", 7, true)]
    [InlineData("tag;999999999", "tag", 999999999, true)]
    [InlineData("tag", "tag", 1, false)]
    [InlineData("tag;", "tag;", 1, false)]
    [InlineData("tag;x", "tag;x", 1, false)]
    [InlineData("tag;1x", "tag;1x", 1, false)]
    [InlineData("tag;1;2", "tag;1;2", 1, false)]
    [InlineData("tag;1234567890", "tag;1234567890", 1, false)]
    [InlineData(";1", ";1", 1, false)]
    public void TagsAndMedianums(string token, string value, int medianum, bool hasMedianum)
    {
        var tag = Parse($"k D cid {token}").FromTag!.Value;

        Assert.Equal(new RtpproxyTag(value, medianum, hasMedianum), tag);
    }

    [Theory]
    [InlineData("tag;1")]
    [InlineData("tag")]
    [InlineData("tag;x")]
    public void TagToStringIsTheWireToken(string token)
    {
        Assert.Equal(token, Parse($"k D cid {token}").FromTag!.Value.ToString());
    }

    [Fact]
    public void LongestAcceptedCommand()
    {
        var callId = new string('x', RtpproxyCommand.MaxLength - "k D  ft".Length);
        var wire = $"k D {callId} ft";
        Assert.Equal(RtpproxyCommand.MaxLength, wire.Length);

        Assert.Equal(callId, Parse(wire).CallId);
    }

    [Fact]
    public void TwentyTokensAreAccepted()
    {
        var names = string.Join(' ', Enumerable.Range(0, RtpproxyCommand.MaxTokens - 2).Select(i => $"s{i}"));

        Assert.Equal(RtpproxyCommand.MaxTokens - 2, Parse($"k G {names}").StatNames.Count);
    }

    [Fact]
    public void NonAsciiCallIdIsKept()
    {
        Assert.Equal("appel-é", Parse("k D appel-é ft").CallId);
    }
}
