using System.Net;

namespace MediaRelay.Control.MediaProxy;

/// <summary>Which proxy ends dialogs, and the address of its management socket.</summary>
/// <param name="Kind">The proxy whose command is sent.</param>
/// <param name="EndPoint">A UDP endpoint, or null when <paramref name="Path"/> is set.</param>
/// <param name="Path">A UNIX datagram socket path, or null.</param>
public sealed record DialogEndTarget(DialogEndKind Kind, IPEndPoint? EndPoint, string? Path)
{
    public static bool TryParse(string text, out DialogEndTarget target)
    {
        target = null!;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        DialogEndKind kind;
        switch (text[..colon].ToUpperInvariant())
        {
            case "KAMAILIO":
                kind = DialogEndKind.Kamailio;
                break;
            case "OPENSIPS":
                kind = DialogEndKind.OpenSips;
                break;
            default:
                return false;
        }

        var address = text[(colon + 1)..];
        if (address.StartsWith("udp:", StringComparison.OrdinalIgnoreCase))
        {
            address = address[4..];
        }
        else if (address.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            address = address[5..];
        }

        if (address.StartsWith('/'))
        {
            target = new DialogEndTarget(kind, null, address);
            return true;
        }

        if (IPEndPoint.TryParse(address, out var endPoint) && endPoint.Port != 0)
        {
            target = new DialogEndTarget(kind, endPoint, null);
            return true;
        }

        return false;
    }

    public override string ToString() => $"{Kind} at {(Path ?? EndPoint?.ToString())}";
}

/// <summary>The proxy whose dialog-ending command is sent.</summary>
public enum DialogEndKind
{
    Kamailio,
    OpenSips,
}
