using System.Text;
using System.Text.Json;

namespace MediaRelay.Accounting;

/// <summary>
/// The records that wait for the database, one JSON line each, in a local file. Appends go to <see cref="Path"/>;
/// a replay first renames it to PATH.PID.TICKS.replaying (so appends go on into a new file meanwhile), writes that
/// file's records to the database and deletes it only once they are all in. A replay cut short (a crash, the
/// database gone again) leaves the file for the next one; records written twice are skipped by their id.
/// Threading: <see cref="Append"/> may be called from any thread; the rest from the writer task.
/// </summary>
public sealed class Spool
{
    private const string ReplaySuffix = ".replaying";
    private readonly Lock _gate = new();
    private long _pending;

    public Spool(string path)
    {
        Path = path;
        _pending = CountWaiting();
    }

    public string Path { get; }

    /// <summary>Records in the spool (appended and not yet replayed, or being replayed).</summary>
    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>
    /// The spool at <paramref name="preferred"/> when its directory can be created and the file written; else one
    /// under the user's state directory ($XDG_STATE_HOME or ~/.local/state, else the temporary directory), with
    /// <paramref name="problem"/> saying why the preferred one could not be used.
    /// </summary>
    public static Spool Choose(string preferred, out string? problem)
    {
        problem = Usable(preferred);
        if (problem is null)
        {
            return new Spool(preferred);
        }

        var name = System.IO.Path.GetFileName(preferred);
        foreach (var directory in FallbackDirectories())
        {
            var candidate = System.IO.Path.Combine(directory, name);
            if (Usable(candidate) is null)
            {
                return new Spool(candidate);
            }
        }

        // Nothing writable at all: keep the preferred path; appends fail and the writer keeps records in memory.
        return new Spool(preferred);
    }

    private static IEnumerable<string> FallbackDirectories()
    {
        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (!string.IsNullOrEmpty(state))
        {
            yield return System.IO.Path.Combine(state, "mediarelay");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home))
        {
            yield return System.IO.Path.Combine(home, ".local", "state", "mediarelay");
        }

        yield return System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mediarelay-" + Environment.UserName);
    }

    /// <summary>Null when the file can be appended to (its directory is created if need be), else why not.</summary>
    public static string? Usable(string path)
    {
        try
        {
            var directory = System.IO.Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            var existed = File.Exists(path);
            using (new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
            }

            if (!existed)
            {
                File.Delete(path); // Only a test: no empty spool left behind.
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Appends the records, one line each, and with <paramref name="sync"/> syncs the file to disk (the writer task
    /// does; a session-end event that found the queue full does not wait for the disk). Throws when the file cannot be written.
    /// </summary>
    public void Append(IReadOnlyList<AccountingRecord> records, bool sync = true)
    {
        if (records.Count == 0)
        {
            return;
        }

        var text = new StringBuilder();
        foreach (var record in records)
        {
            text.Append(JsonSerializer.Serialize(record, StatisticsJson.Options)).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        lock (_gate)
        {
            var directory = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            stream.Write(bytes);
            stream.Flush(flushToDisk: sync);
            Interlocked.Add(ref _pending, records.Count);
        }
    }

    /// <summary>
    /// The files to replay, oldest first: the spool itself (renamed first, so that appends go on into a new one),
    /// and the replays of earlier runs or earlier attempts that did not finish.
    /// </summary>
    public IReadOnlyList<string> TakeForReplay()
    {
        lock (_gate)
        {
            if (File.Exists(Path) && new FileInfo(Path).Length > 0)
            {
                var target = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{Path}.{Environment.ProcessId}.{DateTime.UtcNow.Ticks}{ReplaySuffix}");
                File.Move(Path, target);
            }
        }

        return [.. ReplayFiles().OrderBy(f => File.GetLastWriteTimeUtc(f)).ThenBy(f => f, StringComparer.Ordinal)];
    }

    /// <summary>Reads a replay file in batches of <paramref name="batch"/>; <paramref name="bad"/> gets the lines that are not records.</summary>
    public static IEnumerable<List<AccountingRecord>> Read(string file, int batch, List<string> bad)
    {
        var records = new List<AccountingRecord>(batch);
        foreach (var line in File.ReadLines(file))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            AccountingRecord? record = null;
            try
            {
                record = JsonSerializer.Deserialize<AccountingRecord>(line, StatisticsJson.Options);
            }
            catch (JsonException)
            {
            }

            if (record is null)
            {
                bad.Add(line); // A line cut short by a crash in the middle of an append.
                continue;
            }

            records.Add(record);
            if (records.Count == batch)
            {
                yield return records;
                records = new List<AccountingRecord>(batch);
            }
        }

        if (records.Count > 0)
        {
            yield return records;
        }
    }

    /// <summary>A replay file whose records are all in the database: removed. Unreadable lines are kept in PATH.rejected.</summary>
    public void Finished(string file, long records, IReadOnlyList<string> bad)
    {
        if (bad.Count > 0)
        {
            File.AppendAllLines(Path + ".rejected", bad);
        }

        File.Delete(file);
        Interlocked.Add(ref _pending, -(records + bad.Count));
        if (Interlocked.Read(ref _pending) < 0 || ReplayFiles().Count == 0 && !File.Exists(Path))
        {
            Interlocked.Exchange(ref _pending, CountWaiting());
        }
    }

    /// <summary>Replay files of this spool whose process is gone, and this process's own.</summary>
    private List<string> ReplayFiles()
    {
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
        {
            return [];
        }

        var prefix = System.IO.Path.GetFileName(Path) + ".";
        var files = new List<string>();
        foreach (var file in Directory.EnumerateFiles(directory, prefix + "*" + ReplaySuffix))
        {
            var middle = System.IO.Path.GetFileName(file)[prefix.Length..^ReplaySuffix.Length];
            var dot = middle.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && int.TryParse(middle[..dot], out var pid) && pid != Environment.ProcessId && IsRunning(pid))
            {
                continue; // Another relay is replaying it now.
            }

            files.Add(file);
        }

        return files;
    }

    private static bool IsRunning(int pid) =>
        OperatingSystem.IsLinux() ? Directory.Exists("/proc/" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture)) : false;

    private long CountWaiting()
    {
        long count = 0;
        try
        {
            foreach (var file in ReplayFiles().Append(Path))
            {
                if (File.Exists(file))
                {
                    count += File.ReadLines(file).LongCount(line => !string.IsNullOrWhiteSpace(line));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return count;
    }
}
