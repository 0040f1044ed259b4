using System.Text;
using MediaRelay.Protocols.Rtpproxy;

namespace MediaRelay.Protocols.Tests.Rtpproxy;

public class RtpproxyCommandMalformedTests
{
    // Tokens each kind needs at least, cookie included (rtpproxy fill_cmd_props min_argc + 1).
    private static readonly Dictionary<RtpproxyCommandKind, int> MinTokens = new()
    {
        [RtpproxyCommandKind.Version] = 2,
        [RtpproxyCommandKind.VersionFeature] = 3,
        [RtpproxyCommandKind.Update] = 6,
        [RtpproxyCommandKind.Lookup] = 6,
        [RtpproxyCommandKind.Delete] = 4,
        [RtpproxyCommandKind.Query] = 4,
        [RtpproxyCommandKind.Play] = 6,
        [RtpproxyCommandKind.NoPlay] = 4,
        [RtpproxyCommandKind.Record] = 4,
    };

    [Theory]
    [InlineData("", RtpproxyErrorCode.Syntax, null)]
    [InlineData("   \r\n", RtpproxyErrorCode.Syntax, null)]
    [InlineData("4242_1", RtpproxyErrorCode.Syntax, "4242_1")]
    [InlineData("4242_1 \n", RtpproxyErrorCode.Syntax, "4242_1")]
    [InlineData("c Z", RtpproxyErrorCode.UnknownCommand, "c")]
    [InlineData("c 1", RtpproxyErrorCode.UnknownCommand, "c")]
    [InlineData("c \u00e9", RtpproxyErrorCode.UnknownCommand, "c")]
    [InlineData("c V 20040107", RtpproxyErrorCode.InvalidArgumentCount, "c")]
    [InlineData("c VF", RtpproxyErrorCode.InvalidArgumentCount, "c")]
    [InlineData("c VF 20050322 x", RtpproxyErrorCode.InvalidArgumentCount, "c")]
    [InlineData("c U cid 1.2.3.4 5", RtpproxyErrorCode.InvalidArgumentCount, "c")]
    [InlineData("c U cid 1.2.3.4 5 f t s n x", RtpproxyErrorCode.InvalidArgumentCount, "c")]
    [InlineData("c L cid 1.2.3.4 5 f t s", RtpproxyErrorCode.InvalidArgumentCount, "c")]
    [InlineData("c D cid", RtpproxyErrorCode.InvalidArgumentCount, "c")]
    [InlineData("c D cid f t x", RtpproxyErrorCode.InvalidArgumentCount, "c")]
    [InlineData("c Q cid", RtpproxyErrorCode.InvalidArgumentCount, "c")]
    [InlineData("c I b", RtpproxyErrorCode.InvalidArgumentCount, "c")]
    [InlineData("c X now", RtpproxyErrorCode.InvalidArgumentCount, "c")]
    [InlineData("c P cid name session", RtpproxyErrorCode.InvalidArgumentCount, "c")]
    [InlineData("c Vx", RtpproxyErrorCode.ModifiersNotAllowed, "c")]
    [InlineData("c VFx 20050322", RtpproxyErrorCode.ModifiersNotAllowed, "c")]
    [InlineData("c Sx cid f", RtpproxyErrorCode.ModifiersNotAllowed, "c")]
    [InlineData("c Nx cid f", RtpproxyErrorCode.ModifiersNotAllowed, "c")]
    [InlineData("c X1", RtpproxyErrorCode.ModifiersNotAllowed, "c")]
    [InlineData("c U cid 1.2.3.4 5 f && G", RtpproxyErrorCode.SubcommandNotSupported, "c")]
    [InlineData("c Dx cid f", RtpproxyErrorCode.DeleteModifierUnknown, "c")]
    [InlineData("c Gx", RtpproxyErrorCode.StatsModifierUnknown, "c")]
    [InlineData("c Qvx cid f", RtpproxyErrorCode.QueryModifierUnknown, "c")]
    [InlineData("c Ix", RtpproxyErrorCode.InfoModifierUnknown, "c")]
    [InlineData("c U cid 1.2.3.4 5 f sock %zz", RtpproxyErrorCode.NotifyTagEncoding, "c")]
    [InlineData("c U cid 1.2.3.4 5 f t sock a%4", RtpproxyErrorCode.NotifyTagEncoding, "c")]
    [InlineData("c U cid 1.2.3.4 5 f sock %ff", RtpproxyErrorCode.NotifyTagEncoding, "c")]
    [InlineData("c UEIE cid 1.2.3.4 5 f", RtpproxyErrorCode.ExternalInterfaceUnavailable, "c")]
    [InlineData("c UIEI cid 1.2.3.4 5 f", RtpproxyErrorCode.InternalInterfaceUnavailable, "c")]
    [InlineData("c Uz cid 1.2.3.4 5 f", RtpproxyErrorCode.InvalidPacketization, "c")]
    [InlineData("c Uz0 cid 1.2.3.4 5 f", RtpproxyErrorCode.InvalidPacketization, "c")]
    [InlineData("c Uz1000 cid 1.2.3.4 5 f", RtpproxyErrorCode.InvalidPacketization, "c")]
    [InlineData("c Uz-20 cid 1.2.3.4 5 f", RtpproxyErrorCode.InvalidPacketization, "c")]
    [InlineData("c Uz99999999999999999999 cid 1.2.3.4 5 f", RtpproxyErrorCode.InvalidPacketization, "c")]
    [InlineData("c Uc cid 1.2.3.4 5 f", RtpproxyErrorCode.InvalidCodecList, "c")]
    [InlineData("c Ucx cid 1.2.3.4 5 f", RtpproxyErrorCode.InvalidCodecList, "c")]
    [InlineData("c Uc0c8 cid 1.2.3.4 5 f", RtpproxyErrorCode.InvalidCodecList, "c")]
    [InlineData("c Uc1234567890 cid 1.2.3.4 5 f", RtpproxyErrorCode.InvalidCodecList, "c")]
    [InlineData("c Ul cid 1.2.3.4 5 f", RtpproxyErrorCode.LocalAddressSyntax, "c")]
    [InlineData("c Ul[::1 cid 1.2.3.4 5 f", RtpproxyErrorCode.LocalAddressSyntax, "c")]
    [InlineData("c Ul[] cid 1.2.3.4 5 f", RtpproxyErrorCode.LocalAddressSyntax, "c")]
    [InlineData("c Ulhost cid 1.2.3.4 5 f", RtpproxyErrorCode.LocalAddressSyntax, "c")]
    [InlineData("c Ul1.2.3.999 cid 1.2.3.4 5 f", RtpproxyErrorCode.LocalAddressUnusable, "c")]
    [InlineData("c Ul1 cid 1.2.3.4 5 f", RtpproxyErrorCode.LocalAddressUnusable, "c")]
    [InlineData("c Ul[1:::2] cid 1.2.3.4 5 f", RtpproxyErrorCode.LocalAddressUnusable, "c")]
    [InlineData("c Ur cid 1.2.3.4 5 f", RtpproxyErrorCode.RemoteAddressSyntax, "c")]
    [InlineData("c Ur999.1.1.1 cid 1.2.3.4 5 f", RtpproxyErrorCode.RemoteAddressUnresolvable, "c")]
    [InlineData("c U cid host.example.com 5 f", RtpproxyErrorCode.InvalidRemoteAddress, "c")]
    [InlineData("c U cid 1 5 f", RtpproxyErrorCode.InvalidRemoteAddress, "c")]
    [InlineData("c U cid 1.2.3.256 5 f", RtpproxyErrorCode.InvalidRemoteAddress, "c")]
    [InlineData("c U6 cid [2001:db8::1] 5 f", RtpproxyErrorCode.InvalidRemoteAddress, "c")]
    [InlineData("c U6 cid fe80::1%eth0 5 f", RtpproxyErrorCode.InvalidRemoteAddress, "c")]
    [InlineData("c U cid 1.2.3.4 65536 f", RtpproxyErrorCode.InvalidRemoteAddress, "c")]
    [InlineData("c U cid 1.2.3.4 -1 f", RtpproxyErrorCode.InvalidRemoteAddress, "c")]
    [InlineData("c U cid 1.2.3.4 123456 f", RtpproxyErrorCode.InvalidRemoteAddress, "c")]
    [InlineData("c L cid 1.2.3.4 x f", RtpproxyErrorCode.InvalidRemoteAddress, "c")]
    [InlineData("c D a\u0000b f", RtpproxyErrorCode.Syntax, null)]
    [InlineData("c D a\u0007b f", RtpproxyErrorCode.Syntax, null)]
    [InlineData("c D a\u007fb f", RtpproxyErrorCode.Syntax, null)]
    [InlineData("c D a\u000bb f", RtpproxyErrorCode.Syntax, null)]
    public void RefusedWithRtpproxysErrorCode(string wire, RtpproxyErrorCode code, string? cookie)
    {
        foreach (var fromBytes in new[] { true, false })
        {
            var ok = fromBytes
                ? RtpproxyCommand.TryParse(Encoding.UTF8.GetBytes(wire), true, out var command, out var error)
                : RtpproxyCommand.TryParse(wire, true, out command, out error);

            Assert.False(ok);
            Assert.Null(command);
            Assert.False(error.IsNone);
            Assert.False(string.IsNullOrEmpty(error.Reason));
            Assert.Equal(code, error.Code);
            Assert.Equal(cookie, error.Cookie);
        }
    }

    [Fact]
    public void NullStringIsRefused()
    {
        Assert.False(RtpproxyCommand.TryParse((string?)null, true, out var command, out var error));
        Assert.Null(command);
        Assert.Equal(RtpproxyErrorCode.Syntax, error.Code);
    }

    [Fact]
    public void WithoutCookieTheFirstTokenIsTheCommand()
    {
        // A UDP datagram read as a stream command: the cookie is not a command letter it knows.
        Assert.False(RtpproxyCommand.TryParse(RtpproxySamples.InviteOffer, false, out _, out var error));
        Assert.Equal(RtpproxyErrorCode.UnknownCommand, error.Code);
        Assert.Null(error.Cookie);

        Assert.False(RtpproxyCommand.TryParse("", false, out _, out error));
        Assert.Equal(RtpproxyErrorCode.Syntax, error.Code);
    }

    [Fact]
    public void InvalidUtf8IsRefused()
    {
        byte[] wire = [.. "c D cid "u8, 0xC3, 0x28];

        Assert.False(RtpproxyCommand.TryParse(wire, true, out _, out var error));
        Assert.Equal(RtpproxyErrorCode.Syntax, error.Code);
        Assert.Contains("UTF-8", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TooLongIsRefusedForBytesAndText()
    {
        var wire = "k D " + new string('x', RtpproxyCommand.MaxLength) + " ft";

        Assert.False(RtpproxyCommand.TryParse(Encoding.ASCII.GetBytes(wire), true, out _, out var error));
        Assert.Equal(RtpproxyErrorCode.Syntax, error.Code);
        Assert.False(RtpproxyCommand.TryParse(wire, true, out _, out error));
        Assert.Equal(RtpproxyErrorCode.Syntax, error.Code);
    }

    [Fact]
    public void MoreThanTwentyTokensAreRefused()
    {
        var names = string.Join(' ', Enumerable.Range(0, RtpproxyCommand.MaxTokens - 1).Select(i => $"s{i}"));

        Assert.False(RtpproxyCommand.TryParse($"k G {names}", true, out _, out var error));
        Assert.Equal(RtpproxyErrorCode.InvalidArgumentCount, error.Code);
        Assert.Equal("k", error.Cookie);
    }

    [Fact]
    public void HugeTokenCountDoesNotBlowUp()
    {
        var wire = new byte[RtpproxyCommand.MaxLength];
        for (var i = 0; i < wire.Length; i++)
        {
            wire[i] = i % 2 == 0 ? (byte)'G' : (byte)' ';
        }

        Assert.False(RtpproxyCommand.TryParse(wire, true, out _, out var error));
        Assert.Equal(RtpproxyErrorCode.InvalidArgumentCount, error.Code);
    }

    [Theory]
    [MemberData(nameof(RtpproxySamples.WithCookie), MemberType = typeof(RtpproxySamples))]
    public void EveryTruncationParsesOrFailsCleanly(string wire)
    {
        var bytes = Encoding.ASCII.GetBytes(wire);
        Assert.True(RtpproxyCommand.TryParse(bytes, true, out var full, out _));
        var minTokens = MinTokens[full!.Kind];
        var fullWord = wire.Split(' ')[1];

        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes.AsSpan(0, length);
            var tokens = Encoding.ASCII.GetString(prefix).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var ok = RtpproxyCommand.TryParse(prefix, true, out var command, out var error);

            Assert.Equal(ok, error.IsNone);
            Assert.Equal(ok, command is not null);
            // A prefix cut inside the command word may be another command ("VF" -> "V"); with the whole word
            // it must fail until every mandatory argument has started.
            if (tokens.Length < minTokens && (tokens.Length < 2 || tokens[1] == fullWord))
            {
                Assert.False(ok, $"prefix {length} has only {tokens.Length} tokens");
            }

            if (ok)
            {
                // What a prefix parses to is exactly its tokens: nothing is read past the span or invented.
                Assert.Equal(tokens[0], command!.Cookie);
                Assert.Equal(tokens[2..], command.Arguments);
            }
            else if (tokens.Length > 0)
            {
                Assert.Equal(tokens[0], error.Cookie);
            }
        }
    }

    [Theory]
    [MemberData(nameof(RtpproxySamples.WithCookie), MemberType = typeof(RtpproxySamples))]
    public void ParsesInsideABufferPoisonedWith0xFF(string wire)
    {
        var bytes = Encoding.ASCII.GetBytes(wire);
        var buffer = new byte[bytes.Length + 64];
        Array.Fill(buffer, (byte)0xFF);
        bytes.CopyTo(buffer, 32);

        Assert.True(RtpproxyCommand.TryParse(buffer.AsSpan(32, bytes.Length), true, out var poisoned, out var error), error.ToString());
        Assert.True(RtpproxyCommand.TryParse(bytes, true, out var clean, out _));
        Assert.Equal(clean!.Kind, poisoned!.Kind);
        Assert.Equal(clean.Arguments, poisoned.Arguments);
        Assert.Equal(clean.Cookie, poisoned.Cookie);

        // Every slice inside the poisoned buffer behaves exactly like the clean prefix: 0xFF is never read.
        for (var length = 0; length < bytes.Length; length++)
        {
            var inPoison = RtpproxyCommand.TryParse(buffer.AsSpan(32, length), true, out _, out var poisonError);
            var inClean = RtpproxyCommand.TryParse(bytes.AsSpan(0, length), true, out _, out var cleanError);
            Assert.Equal(inClean, inPoison);
            Assert.Equal(cleanError, poisonError);
        }

        // And the poison itself is refused, not misread.
        Assert.False(RtpproxyCommand.TryParse(buffer, true, out _, out _));
    }

    [Fact]
    public void RandomGarbageNeverThrows()
    {
        var random = new Random(20040107);
        var alphabet = "UuLlDdQqVvFfIiGgXxPpSsRrCcNn0123456789.:;,[]%&_-6azZwWeEcC \t\r\n"u8.ToArray();
        var buffer = new byte[96];
        var parsed = 0;
        for (var i = 0; i < 30_000; i++)
        {
            var length = random.Next(buffer.Length);
            for (var j = 0; j < length; j++)
            {
                buffer[j] = i % 3 == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }

            var hasCookie = i % 2 == 0;
            var span = buffer.AsSpan(0, length);
            if (RtpproxyCommand.TryParse(span, hasCookie, out var command, out var error))
            {
                parsed++;
                Assert.True(error.IsNone);
                Assert.True(Enum.IsDefined(command!.Kind));
                Assert.Equal(hasCookie, command.Cookie is not null);
                Assert.True(command.Port is >= 0 and <= 65535);
            }
            else
            {
                Assert.Null(command);
                Assert.False(string.IsNullOrEmpty(error.Reason));
                Assert.True(Enum.IsDefined(error.Code));
            }
        }

        Assert.True(parsed > 0, "the alphabet should produce some valid commands");
    }

    [Fact]
    public void RandomModifierGarbageOnRealCommandsNeverThrows()
    {
        var random = new Random(20081102);
        var alphabet = "aAsSwW6iIeEzZcClLrRnN0123456789,.[]:xyq!";
        var chars = new char[24];
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(chars.Length);
            for (var j = 0; j < length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            var wire = $"k U{new string(chars, 0, length)} cid 192.0.2.1 4000 ft;1";
            if (RtpproxyCommand.TryParse(wire, true, out var command, out var error))
            {
                var modifiers = command!.UpdateModifiers!;
                Assert.True(modifiers.Directions.Count <= 2);
                Assert.True(modifiers.PacketizationMs is null or (>= 1 and <= RtpproxyUpdateModifiers.MaxPacketizationMs));
                Assert.Equal(new string(chars, 0, length), modifiers.Text);
            }
            else
            {
                Assert.True(Enum.IsDefined(error.Code));
            }
        }
    }

    [Fact]
    public void RandomCharactersInTheTextOverloadNeverThrow()
    {
        var random = new Random(7);
        var chars = new char[64];
        for (var i = 0; i < 10_000; i++)
        {
            var length = random.Next(chars.Length);
            for (var j = 0; j < length; j++)
            {
                // Any UTF-16 code unit, lone surrogates included.
                chars[j] = (char)random.Next(i % 2 == 0 ? 0x80 : 0x10000);
            }

            _ = RtpproxyCommand.TryParse(new string(chars, 0, length), i % 4 < 2, out _, out _);
            _ = RtpproxyCommand.TryParse("k U cid 192.0.2.1 4000 ft sock " + new string(chars, 0, length), true, out _, out _);
        }
    }
}
