using MediaRelay.LoadGen;
using MediaRelay.LoadGen.Report;

LoadGenOptions options;
try
{
    options = LoadGenOptions.Parse(args);
}
catch (Exception exception) when (exception is ArgumentException or FormatException)
{
    Console.Error.WriteLine(exception.Message);
    Console.Error.WriteLine(LoadGenOptions.Usage);
    return 2;
}

if (options.Mode == "table")
{
    Console.Write(ComparisonTable.Render(options.TableFiles));
    return 0;
}

// Every run is bounded: a hung relay or a stuck socket must not hold the comparison script.
using var watchdog = new Timer(
    _ =>
    {
        Console.Error.WriteLine("loadgen: --max-seconds exceeded, exiting");
        Environment.Exit(3);
    },
    null,
    TimeSpan.FromSeconds(options.MaxSeconds),
    Timeout.InfiniteTimeSpan);

var report = await LoadGenRunner.RunAsync(options);
Console.Write(report.ToHuman());
var json = report.ToJsonLine();
Console.WriteLine(ComparisonTable.JsonPrefix + json);
if (options.JsonOut is not null)
{
    await File.AppendAllTextAsync(options.JsonOut, json + Environment.NewLine);
}

return report.Ok ? 0 : 1;
