using System.Text;
using MediaRelay.Protocols.MediaProxy;

namespace MediaRelay.Protocols.Tests.MediaProxy;

public sealed class MediaProxyEndDialogTests
{
    [Fact]
    public void Kamailio_gets_dlg_end_dlg_with_h_entry_and_h_id_as_integers()
    {
        Assert.Equal(
            "{\"jsonrpc\":\"2.0\",\"method\":\"dlg.end_dlg\",\"params\":[3265,1908123],\"id\":1}",
            Encoding.UTF8.GetString(MediaProxyEndDialog.FormatKamailio(3265, 1908123, 1)));
    }

    [Fact]
    public void OpenSips_gets_dlg_end_dlg_with_the_decimal_id_as_a_string()
    {
        Assert.Equal(
            "{\"jsonrpc\":\"2.0\",\"method\":\"dlg_end_dlg\",\"params\":[\"14023070129563\"],\"id\":7}",
            Encoding.UTF8.GetString(MediaProxyEndDialog.FormatOpenSips(14023070129563, 7)));
    }

    [Fact]
    public void A_parsed_Kamailio_dialog_id_ends_in_Kamailio_with_unsigned_numbers()
    {
        Assert.True(MediaProxyRequest.TryParse(MediaProxySamples.KamailioAnswer, out var request, out _));

        Assert.Equal(
            "{\"jsonrpc\":\"2.0\",\"method\":\"dlg.end_dlg\",\"params\":[3265,3000000000],\"id\":42}",
            Encoding.UTF8.GetString(request!.DialogId!.Value.FormatEndDialog(42)));
    }

    [Fact]
    public void A_parsed_OpenSips_dialog_id_ends_in_OpenSips_unchanged()
    {
        Assert.True(MediaProxyRequest.TryParse(MediaProxySamples.OpenSipsInvite, out var request, out _));

        Assert.Equal(
            "{\"jsonrpc\":\"2.0\",\"method\":\"dlg_end_dlg\",\"params\":[\"14023070129563\"],\"id\":43}",
            Encoding.UTF8.GetString(request!.DialogId!.Value.FormatEndDialog(43)));
    }
}
