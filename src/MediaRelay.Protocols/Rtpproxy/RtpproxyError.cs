namespace MediaRelay.Protocols.Rtpproxy;

/// <summary>
/// Why a command was refused: the <see cref="Code"/> rtpproxy would answer with, a human <see cref="Reason"/> for
/// logs, and the <see cref="Cookie"/> read before the failure (null when there was none or none was expected), so
/// the answer can be sent with <see cref="RtpproxyReply.Error(RtpproxyError)"/>. <c>default</c> means no error.
/// </summary>
public readonly record struct RtpproxyError(RtpproxyErrorCode Code, string? Reason, string? Cookie)
{
    /// <summary>No error: what the parser returns alongside a command.</summary>
    public static RtpproxyError None => default;

    /// <summary>True for <see cref="None"/>.</summary>
    public bool IsNone => Reason is null;

    /// <inheritdoc/>
    public override string ToString() => IsNone ? "none" : $"E{(int)Code}: {Reason}";
}
