using MediaRelay.Protocols.MediaProxy;

namespace MediaRelay.Protocols.Tests.MediaProxy;

public sealed class MediaProxyDialogIdTests
{
    [Theory]
    [InlineData("0:0", 0u, 0u)]
    [InlineData("3265:1908123", 3265u, 1908123u)]
    [InlineData("4095:2147483647", 4095u, 2147483647u)]
    [InlineData("4095:-2147483648", 4095u, 2147483648u)] // "%d" of 2^31
    [InlineData("4095:-1", 4095u, 4294967295u)] // "%d" of 2^32 - 1
    [InlineData("4095:4294967295", 4095u, 4294967295u)] // the same id printed unsigned
    [InlineData("-1:7", 4294967295u, 7u)]
    public void Kamailio_form_gives_h_entry_and_h_id(string text, uint entry, uint id)
    {
        Assert.True(MediaProxyDialogId.TryParse(text, out var dialogId));
        Assert.Equal(MediaProxyDialogIdKind.Kamailio, dialogId.Kind);
        Assert.Equal(entry, dialogId.HashEntry);
        Assert.Equal(id, dialogId.HashId);
    }

    [Theory]
    [InlineData("0", 0u, 0u)]
    [InlineData("14023070129563", 3265u, 1908123u)]
    [InlineData("4294967295", 0u, 4294967295u)]
    [InlineData("4294967296", 1u, 0u)]
    [InlineData("18446744073709551615", 4294967295u, 4294967295u)]
    public void OpenSips_form_splits_into_h_entry_and_h_id(string text, uint entry, uint id)
    {
        Assert.True(MediaProxyDialogId.TryParse(text, out var dialogId));
        Assert.Equal(MediaProxyDialogIdKind.OpenSips, dialogId.Kind);
        Assert.Equal(entry, dialogId.HashEntry);
        Assert.Equal(id, dialogId.HashId);
        Assert.Equal(text, dialogId.Combined.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("")]
    [InlineData(":")]
    [InlineData("1:")]
    [InlineData(":1")]
    [InlineData("1:2:3")]
    [InlineData("-")]
    [InlineData("1:-")]
    [InlineData("--1:2")]
    [InlineData("+1:2")]
    [InlineData(" 1:2")]
    [InlineData("1:2 ")]
    [InlineData("1:4294967296")]
    [InlineData("1:-2147483649")]
    [InlineData("-18446744073709551615")]
    [InlineData("18446744073709551616")]
    [InlineData("0x10")]
    [InlineData("1.5")]
    [InlineData("١٢:٣")] // Arabic-Indic digits are digits to char.IsDigit, not to the proxy
    [InlineData("000000000000000000000001")]
    public void Anything_else_is_rejected(string text)
    {
        Assert.False(MediaProxyDialogId.TryParse(text, out var dialogId));
        Assert.Equal(default, dialogId);
    }

    [Theory]
    [InlineData("3265:1908123", "3265:1908123")]
    [InlineData("3265:-1294967296", "3265:3000000000")]
    [InlineData("14023070129563", "14023070129563")]
    public void ToString_gives_the_header_value_in_the_proxy_form(string text, string expected)
    {
        Assert.True(MediaProxyDialogId.TryParse(text, out var dialogId));
        Assert.Equal(expected, dialogId.ToString());
    }

    [Fact]
    public void Both_forms_of_the_same_dialog_carry_the_same_pair()
    {
        var kamailio = MediaProxyDialogId.FromKamailio(3265, 1908123);
        var openSips = MediaProxyDialogId.FromOpenSips(kamailio.Combined);

        Assert.Equal(kamailio.HashEntry, openSips.HashEntry);
        Assert.Equal(kamailio.HashId, openSips.HashId);
        Assert.NotEqual(kamailio, openSips); // they end in different proxies
    }
}
