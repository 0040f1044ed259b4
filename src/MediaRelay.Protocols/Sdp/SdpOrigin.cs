using System.Net;

namespace MediaRelay.Protocols.Sdp;

/// <summary>
/// An "o=" line (RFC 8866 section 5.2): "&lt;username&gt; &lt;sess-id&gt; &lt;sess-version&gt; &lt;nettype&gt; &lt;addrtype&gt; &lt;unicast-address&gt;".
/// The address may be a host name, so it is kept as text; <see cref="IPAddress"/> is its parsed form when numeric.
/// </summary>
public sealed record SdpOrigin(
    string Username,
    string SessionId,
    string SessionVersion,
    string NetworkType,
    string AddressType,
    string Address)
{
    /// <summary>The address when it is a numeric address of <see cref="AddressType"/>, else null.</summary>
    public IPAddress? IPAddress => SdpAddress.TryParse(AddressType, Address, out var address) ? address : null;

    /// <summary>This origin with another address, its address type following the address's family.</summary>
    public SdpOrigin WithAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return this with { NetworkType = "IN", AddressType = SdpAddress.TypeOf(address), Address = address.ToString() };
    }

    /// <summary>Parses the value of an o= line. Never throws.</summary>
    public static bool TryParse(string? value, out SdpOrigin? origin, out string? error)
    {
        origin = null;
        var fields = value?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (fields.Length != 6)
        {
            error = "o= must have six fields: username sess-id sess-version nettype addrtype address";
            return false;
        }

        if (fields[1].AsSpan().ContainsAnyExceptInRange('0', '9') || fields[2].AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            error = "o= session id and version must be numeric";
            return false;
        }

        origin = new SdpOrigin(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
        error = null;
        return true;
    }

    /// <summary>The o= value.</summary>
    public override string ToString() =>
        $"{Username} {SessionId} {SessionVersion} {NetworkType} {AddressType} {Address}";
}
