namespace MediaRelay.Protocols.Sdp;

/// <summary>
/// The lines of one level of a session description: the session level (from "v=" to the first "m=") or one
/// media description (an "m=" line and the lines after it). Lines keep their order; new lines go where RFC 8866
/// section 5 orders them. Not thread-safe: one caller edits a session at a time.
/// </summary>
public abstract class SdpSection
{
    private SdpLineParse<SdpConnection> _connection;

    private protected SdpSection(List<SdpLine> lines) => LineList = lines;

    /// <summary>Every line of this level, in order.</summary>
    public IReadOnlyList<SdpLine> Lines => LineList;

    /// <summary>The a= lines of this level, in order.</summary>
    public IEnumerable<SdpAttribute> Attributes
    {
        get
        {
            var attributes = new List<SdpAttribute>();
            foreach (var line in LineList)
            {
                if (line.Type == 'a')
                {
                    attributes.Add(SdpAttribute.FromLineValue(line.Value));
                }
            }

            return attributes;
        }
    }

    private protected List<SdpLine> LineList { get; }

    /// <summary>The rank of a line type in RFC 8866's order for this level; unknown types rank just before a=.</summary>
    private protected abstract int Rank(char type);

    /// <summary>True when this level has an attribute of that name (ASCII case ignored).</summary>
    public bool HasAttribute(string name) => IndexOfAttribute(name) >= 0;

    /// <summary>The first attribute of that name, if any.</summary>
    public bool TryGetAttribute(string name, out SdpAttribute attribute)
    {
        var index = IndexOfAttribute(name);
        attribute = index < 0 ? default : SdpAttribute.FromLineValue(LineList[index].Value);
        return index >= 0;
    }

    /// <summary>Every attribute of that name, in order.</summary>
    public IReadOnlyList<SdpAttribute> GetAttributes(string name)
    {
        var attributes = new List<SdpAttribute>();
        foreach (var line in LineList)
        {
            if (line.Type == 'a' && SdpAttribute.LineIs(line.Value, name))
            {
                attributes.Add(SdpAttribute.FromLineValue(line.Value));
            }
        }

        return attributes;
    }

    /// <summary>True when some a= line of this level has a name that <paramref name="names"/> holds (ASCII case ignored); allocates nothing.</summary>
    public bool HasAnyAttribute(ReadOnlySpan<string> names)
    {
        foreach (var line in LineList)
        {
            if (line.Type == 'a' && IsOneOf(SdpAttribute.NameOf(line.Value), names))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Removes every attribute whose name <paramref name="names"/> holds (ASCII case ignored); returns how many were removed.</summary>
    public int RemoveAttributes(ReadOnlySpan<string> names)
    {
        var removed = 0;
        for (var i = LineList.Count - 1; i >= 0; i--)
        {
            if (LineList[i].Type == 'a' && IsOneOf(SdpAttribute.NameOf(LineList[i].Value), names))
            {
                LineList.RemoveAt(i);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Appends an attribute after this level's last line of any type that ranks at or before a=.</summary>
    public void AddAttribute(string name, string? value = null) => AddLine(new SdpLine('a', new SdpAttribute(name, value).ToLineValue()));

    /// <summary>Inserts an attribute so that it becomes the attribute at <paramref name="attributeIndex"/> (0 = before every other a= line).</summary>
    public void InsertAttribute(int attributeIndex, string name, string? value = null)
    {
        var line = new SdpLine('a', new SdpAttribute(name, value).ToLineValue());
        var seen = 0;
        for (var i = 0; i < LineList.Count; i++)
        {
            if (LineList[i].Type == 'a' && seen++ == attributeIndex)
            {
                LineList.Insert(i, line);
                return;
            }
        }

        AddLine(line);
    }

    /// <summary>
    /// Replaces the value of the first attribute of that name where it stands, or adds the attribute when absent.
    /// Returns true when an attribute was replaced. Later attributes of the same name are left alone.
    /// </summary>
    public bool SetAttribute(string name, string? value = null)
    {
        var index = IndexOfAttribute(name);
        var line = new SdpLine('a', new SdpAttribute(name, value).ToLineValue());
        if (index < 0)
        {
            AddLine(line);
            return false;
        }

        LineList[index] = line;
        return true;
    }

    /// <summary>Removes every attribute of that name; returns how many were removed.</summary>
    public int RemoveAttributes(string name) => RemoveAttributes([name]);

    /// <summary>Removes every attribute the predicate selects; returns how many were removed.</summary>
    public int RemoveAttributes(Func<SdpAttribute, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return LineList.RemoveAll(l => l.Type == 'a' && predicate(SdpAttribute.FromLineValue(l.Value)));
    }

    /// <summary>Inserts a line after the last line whose type ranks at or before it (RFC 8866 section 5 order).</summary>
    /// <exception cref="ArgumentException">The line is a v= or m= line, which sections do not take.</exception>
    public void AddLine(SdpLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Type is 'v' or 'm')
        {
            throw new ArgumentException("v= and m= lines are managed by SdpSession.", nameof(line));
        }

        var rank = Rank(line.Type);
        var at = 0;
        for (var i = 0; i < LineList.Count; i++)
        {
            if (Rank(LineList[i].Type) <= rank)
            {
                at = i + 1;
            }
        }

        LineList.Insert(at, line);
    }

    /// <summary>Replaces a line of this level with another of the same type; false when the line is not here.</summary>
    /// <exception cref="ArgumentException">The types differ.</exception>
    public bool ReplaceLine(SdpLine existing, SdpLine replacement)
    {
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(replacement);
        if (existing.Type != replacement.Type || existing.Type is 'v' or 'm')
        {
            throw new ArgumentException("A line can only be replaced by one of the same type, and not v= or m=.", nameof(replacement));
        }

        var index = LineList.IndexOf(existing);
        if (index < 0)
        {
            return false;
        }

        LineList[index] = replacement;
        return true;
    }

    /// <summary>Removes a line of this level; the v= and m= lines cannot be removed.</summary>
    public bool RemoveLine(SdpLine line) => line.Type is not ('v' or 'm') && LineList.Remove(line);

    /// <summary>Removes every line of that type (not v= or m=); returns how many were removed.</summary>
    public int RemoveLines(char type) => type is 'v' or 'm' ? 0 : LineList.RemoveAll(l => l.Type == type);

    /// <summary>
    /// The section's first c= line, parsed once per line (the session and each media read theirs several times per
    /// offer); a setter replaces the line, so the parse follows it.
    /// </summary>
    private protected SdpConnection? ParsedConnection() =>
        _connection.Get(FindLine('c'), static value => SdpConnection.TryParse(value, out var connection, out _) ? connection : null);

    /// <summary>The reader's parse of this level's c= line, kept so that it is not parsed again.</summary>
    internal void RememberConnection(SdpLine line, SdpConnection connection) => _connection.Remember(line, connection);

    /// <summary>The first line of that type, or null.</summary>
    public SdpLine? FindLine(char type)
    {
        foreach (var line in LineList)
        {
            if (line.Type == type)
            {
                return line;
            }
        }

        return null;
    }

    /// <summary>Replaces the first line of that type in place, or adds one in RFC order; null removes every line of the type.</summary>
    private protected void SetSingleLine(char type, string? value)
    {
        if (value is null)
        {
            RemoveLines(type);
            return;
        }

        var line = new SdpLine(type, value);
        var index = LineList.FindIndex(l => l.Type == type);
        if (index < 0)
        {
            AddLine(line);
        }
        else if (LineList[index].Value != value)
        {
            LineList[index] = line;
        }
    }

    private int IndexOfAttribute(string name)
    {
        for (var i = 0; i < LineList.Count; i++)
        {
            if (LineList[i].Type == 'a' && SdpAttribute.LineIs(LineList[i].Value, name))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsOneOf(ReadOnlySpan<char> name, ReadOnlySpan<string> names)
    {
        foreach (var candidate in names)
        {
            if (name.Equals(candidate, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
