using MediaRelay.LoadGen.Report;
using MediaRelay.LoadGen.Scenarios;

namespace MediaRelay.LoadGen;

/// <summary>Runs one mode; shared by the executable and the smoke test.</summary>
internal static class LoadGenRunner
{
    public static async Task<RunReport> RunAsync(LoadGenOptions options, CancellationToken cancel = default)
    {
        try
        {
            return options.Mode switch
            {
                "media" => await MediaScenario.RunAsync(options, cancel),
                "flood" => await FloodScenario.RunAsync(options, cancel),
                "control" => await ControlScenario.RunAsync(options, cancel),
                "ping" => await PingScenario.RunAsync(options, cancel),
                "soak" => await Soak.SoakScenario.RunAsync(options, cancel),
                _ => throw new ArgumentException("unknown mode " + options.Mode),
            };
        }
        catch (Exception exception) when (exception is System.Net.Sockets.SocketException or InvalidOperationException or IOException)
        {
            var report = new RunReport(options.Mode, options.Scenario ?? options.Mode, options.RelayName ?? "relay")
            {
                Ok = false,
                Error = exception.GetType().Name + ": " + exception.Message,
            };
            return report;
        }
    }
}
