namespace MediaRelay.Host.Hosting;

/// <summary>
/// How the console log is written. "simple": a UTC timestamp, the level, the category and the message on one line,
/// for a terminal or a file. "systemd": the message prefixed with its syslog priority ("&lt;6&gt;" for Information,
/// "&lt;4&gt;" for Warning, ...) and no timestamp, for the journal, which keeps its own time stamp and reads the
/// priority from the prefix (journalctl -p warning). "auto" takes systemd when stdout or stderr is the journal.
/// </summary>
internal static class LogFormat
{
    public const string Auto = "auto";
    public const string Simple = "simple";
    public const string Systemd = "systemd";

    /// <summary>True for a value the configuration accepts.</summary>
    public static bool IsKnown(string? format) => Normalise(format) is Auto or Simple or Systemd;

    /// <summary>"simple" or "systemd" for the configured value, "auto" looking at the process's standard streams.</summary>
    public static string Resolve(string? format) => Normalise(format) switch
    {
        Simple => Simple,
        Systemd => Systemd,
        _ => WritesToJournal(Environment.GetEnvironmentVariable("JOURNAL_STREAM"), StreamInode(1), StreamInode(2)) ? Systemd : Simple,
    };

    private static string Normalise(string? format) => (format ?? "").Trim().ToLowerInvariant() switch
    {
        "" or Auto => Auto,
        "journal" => Systemd,
        var other => other,
    };

    /// <summary>
    /// systemd sets JOURNAL_STREAM to "DEVICE:INODE" of the stream it connected stdout and stderr to (systemd.exec(5)).
    /// The variable is inherited by children whose output goes elsewhere (a shell started from the unit, a pipe), so
    /// it counts only when stdout or stderr still is that stream; the inode is the part /proc shows.
    /// </summary>
    public static bool WritesToJournal(string? journalStream, ulong? stdoutInode, ulong? stderrInode)
    {
        if (string.IsNullOrEmpty(journalStream))
        {
            return false;
        }

        var colon = journalStream.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !ulong.TryParse(journalStream.AsSpan(colon + 1), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var inode))
        {
            return false;
        }

        // Without /proc (not Linux, or hidden): trust the variable.
        return (stdoutInode is null && stderrInode is null) || stdoutInode == inode || stderrInode == inode;
    }

    /// <summary>The inode of descriptor <paramref name="fd"/> from its /proc link ("socket:[123]", "pipe:[123]", or a file).</summary>
    private static ulong? StreamInode(int fd)
    {
        try
        {
            var link = new FileInfo($"/proc/self/fd/{fd}");
            var target = link.LinkTarget;
            if (target is null)
            {
                return null;
            }

            var open = target.IndexOf(":[", StringComparison.Ordinal);
            if (open > 0 && target.EndsWith(']') && ulong.TryParse(target.AsSpan(open + 2, target.Length - open - 3),
                    System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var inode))
            {
                return inode;
            }

            // A regular file or a terminal: not the journal's socket.
            return 0;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
