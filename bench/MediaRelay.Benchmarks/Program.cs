using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace MediaRelay.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project bench/MediaRelay.Benchmarks -- --filter '*'</c>.
/// Without a <c>--job</c> argument every benchmark runs as BenchmarkDotNet's short job (1 launch, 3 warm-up and
/// 3 measured iterations) so a full run stays within a few minutes; pass e.g. <c>--job default</c> for tighter figures.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        var config = DefaultConfig.Instance;
        if (!args.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", StringComparison.Ordinal)))
        {
            config = config.AddJob(Job.ShortRun);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
