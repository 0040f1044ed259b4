using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MediaRelay.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A network namespace the test creates (`ip netns add`) and deletes on dispose. <see cref="Enter{T}"/> creates
/// sockets inside it from the test process: a socket belongs to the namespace of the thread that created it, so a
/// dedicated thread joins the namespace (setns), creates, and the socket then works from any thread.
/// </summary>
internal sealed partial class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;

    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    /// <summary>True when this process may create namespaces (root on Linux with `ip`).</summary>
    public static bool CanCreate(out string reason)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            reason = "network namespace tests need root on Linux";
            return false;
        }

        if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip"))
        {
            reason = "network namespace tests need iproute2 (ip)";
            return false;
        }

        reason = "";
        return true;
    }

    public static NetworkNamespace Create(string name)
    {
        Run("ip", "netns", "del", name); // a leftover of an interrupted run
        Run("ip", "netns", "add", name).Check();
        var ns = new NetworkNamespace(name);
        ns.Ip("link", "set", "lo", "up").Check();
        return ns;
    }

    /// <summary>Runs `ip -n NAME ARGS`.</summary>
    public CommandResult Ip(params string[] arguments) => Run("ip", ["-n", Name, .. arguments]);

    /// <summary>Runs a command inside the namespace (`ip netns exec`).</summary>
    public CommandResult Exec(params string[] command) => Run("ip", ["netns", "exec", Name, .. command]);

    /// <summary>Runs <paramref name="create"/> on a thread inside the namespace and returns its result.</summary>
    public T Enter<T>(Func<T> create)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            using var original = File.OpenHandle("/proc/thread-self/ns/net");
            using var target = File.OpenHandle($"/run/netns/{Name}");
            if (SetNs((int)target.DangerousGetHandle(), CloneNewNet) != 0)
            {
                failure = new InvalidOperationException($"setns into {Name} failed: errno {Marshal.GetLastPInvokeError()}");
                return;
            }

            try
            {
                result = create();
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                // The thread dies next; going back keeps a pooled runtime thread out of the namespace regardless.
                _ = SetNs((int)original.DangerousGetHandle(), CloneNewNet);
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new InvalidOperationException($"in namespace {Name}: {failure.Message}", failure);
    }

    public static CommandResult Run(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return new CommandResult($"{fileName} {string.Join(' ', arguments)}", process.ExitCode, output.Result, error);
    }

    public void Dispose() => Run("ip", "netns", "del", Name);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nsType);
}

internal sealed record CommandResult(string Command, int ExitCode, string Output, string Error)
{
    public CommandResult Check() =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"`{Command}` failed ({ExitCode}): {Error}{Output}");
}
