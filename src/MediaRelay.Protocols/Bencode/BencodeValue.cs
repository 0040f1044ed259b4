namespace MediaRelay.Protocols.Bencode;

/// <summary>
/// One node of a bencode tree: a byte string, an integer, a list or a dictionary. The same tree carries the JSON
/// form of the ng protocol (see <see cref="NgJson"/>). Threading: a tree is not thread-safe; build it on one thread.
/// </summary>
public abstract class BencodeValue
{
    private protected BencodeValue()
    {
    }

    /// <summary>The value as text when it is a string, else null.</summary>
    public string? AsText() => this is BencodeString s ? s.Text : null;
}
