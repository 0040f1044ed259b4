using System.Diagnostics;
using System.Globalization;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using Npgsql;

namespace MediaRelay.Accounting.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of its own for a test: Debian's binaries (/usr/lib/postgresql/*/bin, package postgresql),
/// a new cluster under /tmp made by initdb, listening on 127.0.0.1 on a free port, with trust authentication for
/// the user "postgres". As root, the cluster belongs to the postgres user and its commands run through runuser
/// (postgres refuses to run as root). Stopped, and its directory removed, on dispose. <see cref="Stop"/> and
/// <see cref="Start"/> take it away and bring it back in the middle of a test.
/// </summary>
internal sealed class PostgresServer : IDisposable
{
    private readonly string _bin;
    private readonly string _data;
    private readonly bool _asPostgres;

    private PostgresServer(string bin, string directory, int port, bool asPostgres)
    {
        _bin = bin;
        Directory = directory;
        _data = Path.Combine(directory, "data");
        Port = port;
        _asPostgres = asPostgres;
    }

    public string Directory { get; }

    public int Port { get; }

    public string ConnectionString => string.Create(CultureInfo.InvariantCulture,
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=5;Command Timeout=15");

    public string Log => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    private string LogFile => Path.Combine(Directory, "postgres.log");

    /// <summary>initdb and start; fails the test with what to install when Debian's postgresql is missing.</summary>
    public static PostgresServer Create()
    {
        var bin = System.IO.Directory.Exists("/usr/lib/postgresql")
            ? System.IO.Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        Assert.True(bin is not null, "PostgreSQL is not installed: apt-get install postgresql (.ci/install-deps.sh does)");
        var asPostgres = Environment.UserName == "root";
        var directory = System.IO.Directory.CreateTempSubdirectory("mediarelay-pg-").FullName;
        if (asPostgres)
        {
            Run("chown", "postgres:postgres", directory);
        }

        var server = new PostgresServer(bin!, directory, UdpPorts.FreeRange(1, evenStart: false, 33000, 33999), asPostgres);
        server.As(Path.Combine(bin!, "initdb"), "-D", server._data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync");
        server.Start();
        return server;
    }

    /// <summary>Starts the server and waits until it takes connections.</summary>
    public void Start() =>
        As(Path.Combine(_bin, "pg_ctl"), "-D", _data, "-l", LogFile, "-w", "-t", "60", "start", "-o",
            string.Create(CultureInfo.InvariantCulture, $"-p {Port} -k {Directory} -c listen_addresses=127.0.0.1 -c fsync=off"));

    /// <summary>Stops the server at once (fast shutdown: open connections are cut, this process's pooled ones dropped).</summary>
    public void Stop()
    {
        As(Path.Combine(_bin, "pg_ctl"), "-D", _data, "-w", "-t", "60", "-m", "fast", "stop");
        NpgsqlConnection.ClearAllPools();
    }

    public NpgsqlConnection Connect()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    private void As(string program, params string[] arguments)
    {
        if (_asPostgres)
        {
            Run("runuser", ["-u", "postgres", "--", program, .. arguments]);
        }
        else
        {
            Run(program, arguments);
        }
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/tmp",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), $"{program} did not end");
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: exit {process.ExitCode}\n{output.Result}\n{error.Result}");
    }

    public void Dispose()
    {
        try
        {
            if (File.Exists(Path.Combine(_data, "postmaster.pid")))
            {
                Stop();
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
