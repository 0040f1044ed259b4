namespace MediaRelay.Protocols.MediaProxy;

/// <summary>Which proxy wrote a <c>dialog_id</c> header, and so which end-dialog command the proxy understands.</summary>
public enum MediaProxyDialogIdKind
{
    /// <summary>Kamailio: <c>h_entry:h_id</c>; ended with the <c>dlg.end_dlg</c> JSON-RPC command.</summary>
    Kamailio,

    /// <summary>OpenSIPS: one decimal number, <c>(h_entry &lt;&lt; 32) | h_id</c>; ended with the <c>dlg_end_dlg</c> MI command.</summary>
    OpenSips,
}
