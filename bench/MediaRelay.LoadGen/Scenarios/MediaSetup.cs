using System.Diagnostics;
using MediaRelay.LoadGen.Media;
using MediaRelay.LoadGen.Report;

namespace MediaRelay.LoadGen.Scenarios;

/// <summary>Connects an engine's legs, through the relay (offer/answer per call) or straight to each other.</summary>
internal static class MediaSetup
{
    /// <summary>Returns the legs of the calls that were set up; adds setup figures to the report.</summary>
    public static async Task<List<MediaLeg>> ConnectAsync(LoadGenOptions options, MediaEngine engine, CallControl? control, RunReport report)
    {
        var active = new List<MediaLeg>(engine.Legs.Length);
        if (control is null)
        {
            engine.ConnectLoopback();
            active.AddRange(engine.Legs);
            return active;
        }

        var ok = new bool[engine.Calls];
        var started = Stopwatch.GetTimestamp();
        await CallControl.ForEachAsync(engine.Calls, options.Concurrency, async call =>
        {
            var caller = engine.Caller(call);
            var callee = engine.Callee(call);
            var ports = await control.SetupAsync(call, caller.LocalEndPoint.Port, callee.LocalEndPoint.Port);
            if (ports is { } relay)
            {
                caller.ConnectTo(relay.ForCaller);
                callee.ConnectTo(relay.ForCallee);
                ok[call] = true;
            }
        });
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var good = 0;
        for (var call = 0; call < engine.Calls; call++)
        {
            if (ok[call])
            {
                good++;
                active.Add(engine.Caller(call));
                active.Add(engine.Callee(call));
            }
        }

        report.Add("calls_failed", engine.Calls - good);
        report.Add("setup_cps", good / Math.Max(seconds, 1e-6));
        if (control.FirstError is not null)
        {
            report.Note("first control error: " + control.FirstError);
        }

        return active;
    }

    public static async Task DeleteAsync(LoadGenOptions options, int calls, CallControl control) =>
        await CallControl.ForEachAsync(calls, options.Concurrency, async call => await control.DeleteAsync(call));
}
