using System.Globalization;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Control.Ng;

/// <summary>
/// One ng request with rtpengine's loose key matching: every getter normalises the key
/// (<see cref="NgNames.Normalize"/>), so <c>call-id</c>, <c>call_id</c> and <c>Call ID</c> are one key.
/// Values that may be a list or a single string (<c>flags</c>, <c>replace</c>, <c>rtcp-mux</c>, <c>direction</c>,
/// <c>supports</c> ...) read as a list either way. A flag of the form <c>key=value</c> in <c>flags</c> also
/// answers <see cref="GetString"/> and <see cref="GetInteger"/> for that key when the dictionary lacks it.
/// Unknown keys and flags are simply never asked for. Threading: read-only after construction.
/// </summary>
public sealed class NgRequest
{
    private readonly Dictionary<string, BencodeValue> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _flagValues = new(StringComparer.Ordinal);
    private readonly List<string> _flags = [];

    public NgRequest(BencodeDictionary body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Body = body;
        foreach (var entry in body.Entries)
        {
            // First spelling wins when a request carries the same key twice in different spellings.
            _values.TryAdd(NgNames.Normalize(entry.Key), entry.Value);
        }

        foreach (var flag in GetList("flags"))
        {
            var equals = flag.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                _flagValues.TryAdd(NgNames.Normalize(flag[..equals]), flag[(equals + 1)..]);
            }
            else
            {
                _flags.Add(NgNames.Normalize(flag));
            }
        }
    }

    /// <summary>The dictionary as received.</summary>
    public BencodeDictionary Body { get; }

    /// <summary>The command, normalised (<c>ping</c>, <c>offer</c>, <c>delete</c> ...); null when absent.</summary>
    public string? Command => GetString("command") is { } c ? NgNames.Normalize(c) : null;

    public string? CallId => GetString("call-id");

    public string? FromTag => GetString("from-tag");

    public string? ToTag => GetString("to-tag");

    public string? ViaBranch => GetString("via-branch");

    public string? Sdp => GetString("sdp");

    /// <summary>The plain flags of the <c>flags</c> key, normalised; <c>key=value</c> flags are not in it.</summary>
    public IReadOnlyList<string> Flags => _flags;

    /// <summary>The raw value of a key, whatever its type; null when absent.</summary>
    public BencodeValue? Get(string key) => _values.GetValueOrDefault(NgNames.Normalize(key));

    /// <summary>A string value (an integer reads as its decimal text); null when absent or a list.</summary>
    public string? GetString(string key)
    {
        var name = NgNames.Normalize(key);
        return _values.GetValueOrDefault(name) switch
        {
            BencodeString s => s.Text,
            BencodeInteger i => i.Value.ToString(CultureInfo.InvariantCulture),
            null => _flagValues.GetValueOrDefault(name),
            _ => null,
        };
    }

    /// <summary>An integer value, also from a string of decimal digits; null when absent or not a number.</summary>
    public long? GetInteger(string key)
    {
        var name = NgNames.Normalize(key);
        string? text;
        switch (_values.GetValueOrDefault(name))
        {
            case BencodeInteger integer:
                return integer.Value;
            case BencodeString s:
                text = s.Text;
                break;
            case null:
                text = _flagValues.GetValueOrDefault(name);
                break;
            default:
                return null;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>The strings of a list value, or a one-item list for a string value; empty when absent.</summary>
    public IReadOnlyList<string> GetList(string key)
    {
        switch (Get(key))
        {
            case BencodeList list:
                var items = new List<string>(list.Count);
                foreach (var item in list.Items)
                {
                    if (item is BencodeString s)
                    {
                        items.Add(s.Text);
                    }
                }

                return items;
            case BencodeString single:
                return [single.Text];
            default:
                return [];
        }
    }

    /// <summary>The items of a list value, normalised (for <c>replace</c>, <c>supports</c>, <c>direction</c> ...).</summary>
    public IReadOnlyList<string> GetNormalizedList(string key)
    {
        var raw = GetList(key);
        var result = new string[raw.Count];
        for (var i = 0; i < raw.Count; i++)
        {
            result[i] = NgNames.Normalize(raw[i]);
        }

        return result;
    }

    /// <summary>True when <c>flags</c> holds the flag, in any spelling.</summary>
    public bool HasFlag(string flag) => _flags.Contains(NgNames.Normalize(flag));

    /// <summary>True when the normalised list under <paramref name="key"/> holds <paramref name="item"/>.</summary>
    public bool ListContains(string key, string item) => GetNormalizedList(key).Contains(NgNames.Normalize(item));

    /// <summary>True when <c>supports</c> lists the feature, e.g. <c>load limit</c>.</summary>
    public bool Supports(string feature) => ListContains("supports", feature);
}
