using System.Text;

namespace MediaRelay.Accounting;

/// <summary>
/// JSON text kept as the UTF-8 the serializer wrote: the SQLite store binds these bytes as they are, so an ended
/// call's info column (two kilobytes and more) is never a .NET string on its way to the file.
/// </summary>
internal sealed class Utf8Json(byte[] bytes)
{
    public ReadOnlySpan<byte> Bytes => bytes;

    public override string ToString() => Encoding.UTF8.GetString(bytes);
}
