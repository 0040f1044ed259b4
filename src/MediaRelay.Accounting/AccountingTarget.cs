namespace MediaRelay.Accounting;

/// <summary>Where accounting records go.</summary>
public enum AccountingBackend
{
    /// <summary>No accounting.</summary>
    Off,
    /// <summary>A local SQLite file (the default).</summary>
    Sqlite,
    /// <summary>A PostgreSQL server, by connection string.</summary>
    PostgreSql,
}

/// <summary>
/// The <c>--accounting</c> value: <c>sqlite:PATH</c>, <c>postgresql:CONNSTRING</c> (Npgsql's key=value form, e.g.
/// <c>postgresql:Host=db;Database=mediarelay;Username=relay;Password=...</c>) or <c>off</c>.
/// </summary>
public sealed record AccountingTarget(AccountingBackend Backend, string Value)
{
    /// <summary>The default file of the SQLite store.</summary>
    public const string DefaultSqlitePath = "/var/lib/mediarelay/sessions.db";

    /// <summary>The default: <c>sqlite:/var/lib/mediarelay/sessions.db</c>.</summary>
    public const string DefaultText = "sqlite:" + DefaultSqlitePath;

    public static AccountingTarget Default { get; } = new(AccountingBackend.Sqlite, DefaultSqlitePath);

    public static AccountingTarget Off { get; } = new(AccountingBackend.Off, "");

    /// <summary>True for the built-in default file (a non-root start falls back to spooling quietly, with one line).</summary>
    public bool IsDefault => Backend == AccountingBackend.Sqlite && Value == DefaultSqlitePath;

    /// <summary>Parses the option's text; on failure <paramref name="error"/> says what to give instead.</summary>
    public static bool TryParse(string? text, out AccountingTarget target, out string? error)
    {
        target = Default;
        error = null;
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return true;
        }

        if (string.Equals(trimmed, "off", StringComparison.OrdinalIgnoreCase) || string.Equals(trimmed, "none", StringComparison.OrdinalIgnoreCase))
        {
            target = Off;
            return true;
        }

        var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon > 0 ? trimmed[..colon].ToUpperInvariant() : "";
        var value = colon > 0 ? trimmed[(colon + 1)..].Trim() : "";
        switch (scheme)
        {
            case "SQLITE" when value.Length > 0:
                target = new AccountingTarget(AccountingBackend.Sqlite, Path.GetFullPath(value));
                return true;
            case "POSTGRESQL" or "POSTGRES" or "PGSQL" when value.Length > 0:
                target = new AccountingTarget(AccountingBackend.PostgreSql, value);
                return true;
            default:
                error = $"accounting '{Redact(trimmed)}' is not understood: give sqlite:PATH (default {DefaultText}), " +
                    "postgresql:CONNSTRING (e.g. postgresql:Host=db;Database=mediarelay;Username=relay;Password=secret) or off";
                return false;
        }
    }

    /// <summary>How logs name the store: the file, or the server and database without the password.</summary>
    public string Describe() => Backend switch
    {
        AccountingBackend.Sqlite => "sqlite:" + Value,
        AccountingBackend.PostgreSql => "postgresql:" + Redact(Value),
        _ => "off",
    };

    /// <summary>A connection string without its password.</summary>
    public static string Redact(string text)
    {
        var parts = text.Split(';');
        for (var i = 0; i < parts.Length; i++)
        {
            var equals = parts[i].IndexOf('=', StringComparison.Ordinal);
            var key = equals > 0 ? parts[i][..equals].Trim() : "";
            if (key.Equals("password", StringComparison.OrdinalIgnoreCase) || key.Equals("pwd", StringComparison.OrdinalIgnoreCase))
            {
                parts[i] = parts[i][..(equals + 1)] + "***";
            }
        }

        return string.Join(';', parts);
    }

    /// <summary>
    /// Where records wait while the database is away: <paramref name="spool"/> when given, else beside the SQLite
    /// file (PATH.spool), else /var/lib/mediarelay/accounting.spool.
    /// </summary>
    public string SpoolPath(string? spool) =>
        !string.IsNullOrWhiteSpace(spool) ? Path.GetFullPath(spool)
        : Backend == AccountingBackend.Sqlite ? Value + ".spool"
        : Path.Combine(Path.GetDirectoryName(DefaultSqlitePath)!, "accounting.spool");
}
