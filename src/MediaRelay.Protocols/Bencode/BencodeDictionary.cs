namespace MediaRelay.Protocols.Bencode;

/// <summary>
/// A bencode dictionary whose entries keep the order they were added in. Keys compare ordinally and exactly;
/// the ng protocol's looser key matching (case, spaces, hyphens) is the job of the ng layer, not of the codec.
/// Strict bencode wants keys sorted; <see cref="BencodeWriter"/> writes them in insertion order, which rtpengine
/// and its clients accept. Setting an existing key replaces its value in place.
/// </summary>
public sealed class BencodeDictionary : BencodeValue, IEnumerable<KeyValuePair<string, BencodeValue>>
{
    private readonly List<KeyValuePair<string, BencodeValue>> _entries = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    /// <summary>The entries in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<string, BencodeValue>> Entries => _entries;

    public int Count => _entries.Count;

    public BencodeValue? this[string key] => TryGetValue(key, out var value) ? value : null;

    public bool ContainsKey(string key) => _index.ContainsKey(key);

    public bool TryGetValue(string key, out BencodeValue? value)
    {
        if (_index.TryGetValue(key, out var i))
        {
            value = _entries[i].Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Adds the entry, or replaces the value of an existing key without moving it.</summary>
    public void Set(string key, BencodeValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (_index.TryGetValue(key, out var i))
        {
            _entries[i] = new(key, value);
            return;
        }

        _index.Add(key, _entries.Count);
        _entries.Add(new(key, value));
    }

    /// <summary>Removes the entry; returns false when the key is absent.</summary>
    public bool Remove(string key)
    {
        if (!_index.Remove(key, out var i))
        {
            return false;
        }

        _entries.RemoveAt(i);
        for (var j = i; j < _entries.Count; j++)
        {
            _index[_entries[j].Key] = j;
        }

        return true;
    }

    public void Add(string key, BencodeValue value) => Set(key, value);

    public void Add(string key, string text) => Set(key, new BencodeString(text));

    public void Add(string key, long value) => Set(key, new BencodeInteger(value));

    /// <summary>The text of a string entry; null when absent or not a string.</summary>
    public string? GetString(string key) => this[key] is BencodeString s ? s.Text : null;

    /// <summary>The value of an integer entry; null when absent or not an integer.</summary>
    public long? GetInteger(string key) => this[key] is BencodeInteger i ? i.Value : null;

    public BencodeList? GetList(string key) => this[key] as BencodeList;

    public IEnumerator<KeyValuePair<string, BencodeValue>> GetEnumerator() => _entries.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public BencodeDictionary? GetDictionary(string key) => this[key] as BencodeDictionary;
}
