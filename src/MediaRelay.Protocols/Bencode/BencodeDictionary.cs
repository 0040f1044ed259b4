using System.Runtime.InteropServices;

namespace MediaRelay.Protocols.Bencode;

/// <summary>
/// A bencode dictionary whose entries keep the order they were added in. Keys compare ordinally and exactly;
/// the ng protocol's looser key matching (case, spaces, hyphens) is the job of the ng layer, not of the codec.
/// Strict bencode wants keys sorted; <see cref="BencodeWriter"/> writes them in insertion order, which rtpengine
/// and its clients accept. Setting an existing key replaces its value in place. A small dictionary (the ng messages'
/// and reports' are) finds a key by scanning its entries; one with more than <see cref="IndexFrom"/> entries keeps a
/// hash index, so a large one is no slower.
/// </summary>
public sealed class BencodeDictionary : BencodeValue, IEnumerable<KeyValuePair<string, BencodeValue>>
{
    /// <summary>
    /// Above this many entries a key is found through a hash index rather than a scan: a scan of up to this many
    /// (mostly interned, reference-equal) keys is cheaper than the index a statistics report's dictionaries used to
    /// build, and a dictionary from the wire with thousands of keys still gets its index early.
    /// </summary>
    internal const int IndexFrom = 24;

    private readonly List<KeyValuePair<string, BencodeValue>> _entries;
    private Dictionary<string, int>? _index;

    public BencodeDictionary() => _entries = [];

    /// <summary>A dictionary with room for <paramref name="capacity"/> entries (a report's builder knows how many).</summary>
    public BencodeDictionary(int capacity) => _entries = new(capacity);

    /// <summary>The entries in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<string, BencodeValue>> Entries => _entries;

    public int Count => _entries.Count;

    /// <summary>The entries in insertion order, for the writer (no enumerator to allocate).</summary>
    internal ReadOnlySpan<KeyValuePair<string, BencodeValue>> EntrySpan => CollectionsMarshal.AsSpan(_entries);

    public BencodeValue? this[string key] => TryGetValue(key, out var value) ? value : null;

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, out BencodeValue? value)
    {
        var i = IndexOf(key);
        if (i >= 0)
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
        var i = IndexOf(key);
        if (i >= 0)
        {
            _entries[i] = new(key, value);
            return;
        }

        _index?.Add(key, _entries.Count);
        _entries.Add(new(key, value));
        if (_index is null && _entries.Count > IndexFrom)
        {
            _index = new Dictionary<string, int>(_entries.Count * 2, StringComparer.Ordinal);
            for (var j = 0; j < _entries.Count; j++)
            {
                _index.Add(_entries[j].Key, j);
            }
        }
    }

    /// <summary>Removes the entry; returns false when the key is absent.</summary>
    public bool Remove(string key)
    {
        var i = IndexOf(key);
        if (i < 0)
        {
            return false;
        }

        _entries.RemoveAt(i);
        if (_index is not null)
        {
            _index.Remove(key);
            for (var j = i; j < _entries.Count; j++)
            {
                _index[_entries[j].Key] = j;
            }
        }

        return true;
    }

    /// <summary>The position of the key's entry, or -1.</summary>
    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_index is not null)
        {
            return _index.TryGetValue(key, out var i) ? i : -1;
        }

        var entries = CollectionsMarshal.AsSpan(_entries);
        for (var i = 0; i < entries.Length; i++)
        {
            if (string.Equals(entries[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
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
