namespace MediaRelay.Protocols.Bencode;

/// <summary>A bencode list.</summary>
public sealed class BencodeList : BencodeValue, IEnumerable<BencodeValue>
{
    public BencodeList()
    {
    }

    public BencodeList(IEnumerable<BencodeValue> items)
    {
        Items.AddRange(items);
    }

    public List<BencodeValue> Items { get; } = [];

    public int Count => Items.Count;

    public void Add(BencodeValue value) => Items.Add(value);

    public void Add(string text) => Items.Add(new BencodeString(text));

    public void Add(long value) => Items.Add(new BencodeInteger(value));

    public IEnumerator<BencodeValue> GetEnumerator() => Items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
