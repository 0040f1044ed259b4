using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;
using MediaRelay.Management.Api;

namespace MediaRelay.Management.Tests.Infrastructure;

/// <summary>
/// The built `mediarelay` executable run as a child process on 127.0.0.1: ng on a free port, media in a free part
/// of 63000-64999 (away from the other test projects' ranges), the management listener on a port the kernel picks,
/// read from its start-up log line. Killed with its children on dispose.
/// </summary>
internal sealed partial class RunningRelay : IDisposable
{
    private RunningRelay(ManagedProcess process, IPEndPoint ng, int portMin, int portMax, Uri management, string? token)
    {
        Process = process;
        NgEndPoint = ng;
        PortMin = portMin;
        PortMax = portMax;
        Management = management;
        Ng = new NgClient(ng);
        Http = new HttpClient { BaseAddress = management, Timeout = TimeSpan.FromSeconds(15) };
        if (token is not null)
        {
            Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public ManagedProcess Process { get; }

    public IPEndPoint NgEndPoint { get; }

    public int PortMin { get; }

    public int PortMax { get; }

    public Uri Management { get; }

    public NgClient Ng { get; }

    public HttpClient Http { get; }

    public string WorkDirectory { get; } = Directory.CreateTempSubdirectory("mediarelay-mgmt-").FullName;

    /// <summary>Starts a relay with <paramref name="mediaPorts"/> media ports and waits until ng and management answer.</summary>
    public static async Task<RunningRelay> StartAsync(int mediaPorts = 40, string? token = null, params string[] extra)
    {
        var ng = new IPEndPoint(IPAddress.Loopback, UdpPorts.FreePort());
        var portMin = UdpPorts.FreeRange(mediaPorts, evenStart: true, 63000, 64999);
        var portMax = portMin + mediaPorts - 1;
        string[] arguments =
        [
            "run", "--relay-address", "127.0.0.1", "--ng-listen", ng.ToString(),
            "--port-min", portMin.ToString(CultureInfo.InvariantCulture), "--port-max", portMax.ToString(CultureInfo.InvariantCulture),
            "--management-listen", "127.0.0.1:0", "--delete-delay", "0", .. token is null ? Array.Empty<string>() : ["--management-token", token], .. extra,
        ];
        var process = Start(arguments);
        try
        {
            var management = await WaitForManagementAsync(process);
            var relay = new RunningRelay(process, ng, portMin, portMax, management, token);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!await relay.Ng.PingAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None))
            {
                Assert.True(DateTime.UtcNow < deadline && !process.HasExited, process.Log);
            }

            return relay;
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>`dotnet mediarelay.dll ARGUMENTS`, the relay or one of its CLI verbs.</summary>
    public static ManagedProcess Start(IEnumerable<string> arguments, string? workDirectory = null)
    {
        var assembly = Path.Combine(AppContext.BaseDirectory, "mediarelay.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return ManagedProcess.Start("mediarelay", dotnet, [assembly, .. arguments], workDirectory ?? Path.GetTempPath());
    }

    private static async Task<Uri> WaitForManagementAsync(ManagedProcess process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            var match = ListeningLine().Match(process.Log);
            if (match.Success)
            {
                return new Uri(match.Groups[1].Value);
            }

            await Task.Delay(50);
        }

        Assert.Fail("the relay did not log its management listener:\n" + process.Log);
        return null!;
    }

    public Task<SummaryView> SummaryAsync() => GetAsync<SummaryView>("/api/summary");

    public Task<SessionView> SessionAsync(string callId) => GetAsync<SessionView>("/api/sessions/" + Uri.EscapeDataString(callId));

    public Task<SessionPage> SessionsAsync(int offset = 0, int limit = 100) =>
        GetAsync<SessionPage>(string.Create(CultureInfo.InvariantCulture, $"/api/sessions?offset={offset}&limit={limit}"));

    public async Task<T> GetAsync<T>(string path)
    {
        using var response = await Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(body, ManagementJson.Options)!;
    }

    public async Task<TerminatedView> TerminateAsync(string callId)
    {
        using var response = await Http.DeleteAsync("/api/sessions/" + Uri.EscapeDataString(callId));
        Assert.True(response.IsSuccessStatusCode, $"DELETE {callId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<TerminatedView>(ManagementJson.Options))!;
    }

    public void Dispose()
    {
        Http.Dispose();
        Ng.Dispose();
        Process.Dispose();
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex(@"management API, metrics and dashboard on (http://\S+/)")]
    private static partial Regex ListeningLine();
}
