using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace MediaRelay.Protocols.MediaProxy;

/// <summary>
/// The datagrams that end a SIP dialog in the proxy when its media session expires, as AG Projects' dispatcher does
/// for a session engaged with a <c>dialog_id</c>. Both are JSON-RPC 2.0 documents sent as one datagram to the
/// proxy's management socket; the proxy replies to the sender's address (bind the client socket).
/// Threading: stateless.
/// </summary>
public static class MediaProxyEndDialog
{
    /// <summary>
    /// Kamailio: <c>{"jsonrpc":"2.0","method":"dlg.end_dlg","params":[h_entry,h_id],"id":N}</c> for the
    /// <c>jsonrpcs</c> module's datagram transport (<c>dgram_socket</c>, by default <c>kamailio_rpc.sock</c> in the
    /// run directory, or <c>udp:ip:port</c>). The dialog module reads the two integers (an optional third parameter
    /// carries extra headers for the BYEs) and answers 404 "Dialog not found" for an unknown dialog.
    /// </summary>
    public static byte[] FormatKamailio(uint hashEntry, uint hashId, long requestId) =>
        Write("dlg.end_dlg", requestId, writer =>
        {
            writer.WriteNumberValue(hashEntry);
            writer.WriteNumberValue(hashId);
        });

    /// <summary>
    /// OpenSIPS 3.x: <c>{"jsonrpc":"2.0","method":"dlg_end_dlg","params":["ID"],"id":N}</c> for the
    /// <c>mi_datagram</c> module's socket, with the dialog id as the decimal string the module sent, exactly as AG
    /// Projects' dispatcher writes it (the positional parameter is the MI recipe's <c>dialog_id</c>).
    /// </summary>
    public static byte[] FormatOpenSips(ulong dialogId, long requestId) =>
        Write("dlg_end_dlg", requestId, writer =>
            writer.WriteStringValue(dialogId.ToString(CultureInfo.InvariantCulture)));

    private static byte[] Write(string method, long requestId, Action<Utf8JsonWriter> parameters)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            writer.WriteString("method", method);
            writer.WriteStartArray("params");
            parameters(writer);
            writer.WriteEndArray();
            writer.WriteNumber("id", requestId);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
