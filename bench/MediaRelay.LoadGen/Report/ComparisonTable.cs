using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MediaRelay.LoadGen.Report;

/// <summary>
/// Reads JSON-lines result files (one per relay) and prints one table: scenario, figure, each relay's value, and
/// the ratio of the second relay (the subject) to every other relay: with files BASELINE SUBJECT REFERENCE the
/// ratio columns are SUBJECT/BASELINE and SUBJECT/REFERENCE. A scenario missing or failed in a file shows "failed".
/// With three files, the fast-path goals follow the table (<see cref="Goals"/>).
/// </summary>
internal static class ComparisonTable
{
    public const string JsonPrefix = "LOADGEN_JSON ";

    public static string Render(IReadOnlyList<string> files, IReadOnlyList<string>? fallbackNames = null)
    {
        var runs = new List<(string Name, Dictionary<string, Run> Scenarios)>();
        for (var i = 0; i < files.Count; i++)
        {
            var fallback = fallbackNames is not null && i < fallbackNames.Count ? fallbackNames[i] : Path.GetFileNameWithoutExtension(files[i]);
            runs.Add(Load(files[i], fallback));
        }

        var scenarioOrder = new List<string>();
        var figureOrder = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (_, scenarios) in runs)
        {
            foreach (var (scenario, run) in scenarios)
            {
                if (!figureOrder.TryGetValue(scenario, out var keys))
                {
                    scenarioOrder.Add(scenario);
                    keys = [];
                    figureOrder[scenario] = keys;
                }

                foreach (var key in run.Figures.Keys)
                {
                    if (!keys.Contains(key))
                    {
                        keys.Add(key);
                    }
                }
            }
        }

        var rows = new List<string[]>();
        var header = new List<string> { "scenario", "figure" };
        header.AddRange(runs.Select(r => r.Name));
        var others = runs.Count >= 2 ? Enumerable.Range(0, runs.Count).Where(i => i != 1).ToList() : [];
        header.AddRange(others.Select(i => runs[1].Name + "/" + runs[i].Name));

        rows.Add([.. header]);
        foreach (var scenario in scenarioOrder)
        {
            var keys = figureOrder[scenario];
            if (keys.Count == 0)
            {
                keys.Add("(no figures)");
            }

            foreach (var key in keys)
            {
                var row = new List<string> { scenario, key };
                var values = new List<double>();
                foreach (var (_, scenarios) in runs)
                {
                    if (!scenarios.TryGetValue(scenario, out var run) || !run.Ok)
                    {
                        row.Add("failed");
                        values.Add(double.NaN);
                        continue;
                    }

                    var value = run.Figures.TryGetValue(key, out var v) ? v : double.NaN;
                    row.Add(RunReport.Format(value));
                    values.Add(value);
                }

                foreach (var other in others)
                {
                    row.Add(FormatRatio(Ratio(values[1], values[other])));
                }

                rows.Add([.. row]);
            }
        }

        var widths = new int[rows[0].Length];
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        var text = new StringBuilder();
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < rows[r].Length; c++)
            {
                var cell = rows[r][c];
                text.Append(c < 2 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]));
                text.Append(c == rows[r].Length - 1 ? string.Empty : "  ");
            }

            text.AppendLine();
            if (r == 0)
            {
                text.AppendLine(new string('-', widths.Sum() + (2 * (widths.Length - 1))));
            }
        }

        if (runs.Count >= 3)
        {
            text.AppendLine();
            text.Append(Goals(runs[0], runs[1], runs[2]));
        }

        if (runs.Count >= 2)
        {
            text.Append(ControlGoals(runs[0], runs[1]));
        }

        return text.ToString();
    }

    /// <summary>
    /// The "fast path" goals, subject against baseline (rtpengine) and reference (refrelay): flood packets/s at
    /// least 0.9x the reference and 1.5x the baseline; relay CPU per relayed packet at most 0.5x the baseline. The
    /// CPU goal is stated at calls-1000; every calls-N scenario present is shown so a quick run shows something. The
    /// added-latency goal is absolute: the subject's kernel-stamped p99 at calls-1000 at most 200 µs.
    /// </summary>
    private static string Goals(
        (string Name, Dictionary<string, Run> Scenarios) baseline,
        (string Name, Dictionary<string, Run> Scenarios) subject,
        (string Name, Dictionary<string, Run> Scenarios) reference)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"fast-path goals ({subject.Name} against {baseline.Name} and {reference.Name}):");
        void Check(string scenario, string figure, (string Name, Dictionary<string, Run> Scenarios) other, string relation, double bound)
        {
            var ratio = Ratio(Value(subject, scenario, figure), Value(other, scenario, figure));
            var verdict = double.IsNaN(ratio) ? "n/a" : (relation == ">=" ? ratio >= bound : ratio <= bound) ? "met" : "NOT met";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {scenario} {figure}: {subject.Name}/{other.Name} = {FormatRatio(ratio)} (goal {relation} {bound.ToString("0.0#", CultureInfo.InvariantCulture)}): {verdict}");
        }

        foreach (var flood in new[] { "flood-4", "flood-50" })
        {
            Check(flood, "flood_best_pps", reference, ">=", 0.9);
            Check(flood, "flood_best_pps", baseline, ">=", 1.5);
        }

        var callScenarios = subject.Scenarios.Keys
            .Where(k => k.StartsWith("calls-", StringComparison.Ordinal) && int.TryParse(k[6..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .OrderBy(k => int.Parse(k[6..], NumberStyles.None, CultureInfo.InvariantCulture));
        foreach (var calls in callScenarios)
        {
            Check(calls, "relay_cpu_us_per_pkt", baseline, "<=", 0.5);
        }

        // Added latency: an absolute bound, on the generator's kernel receive stamp (its own wake-up left out).
        var latency = Value(subject, "calls-1000", "latency_kernel_p99_us");
        var latencyVerdict = double.IsNaN(latency) ? "n/a" : latency <= 200 ? "met" : "NOT met";
        text.AppendLine(CultureInfo.InvariantCulture,
            $"  calls-1000 latency_kernel_p99_us: {subject.Name} = {RunReport.Format(latency)} (goal <= 200): {latencyVerdict}");
        return text.ToString();
    }

    /// <summary>
    /// The control-path goals (issue 10), subject against baseline, for every scenario named control or control-N
    /// that both ran: calls per second at least 1.5x, offer p99 at most 1x, memory per call in flight at most 1x.
    /// Empty when no such scenario is in both.
    /// </summary>
    private static string ControlGoals(
        (string Name, Dictionary<string, Run> Scenarios) baseline,
        (string Name, Dictionary<string, Run> Scenarios) subject)
    {
        var text = new StringBuilder();
        var scenarios = subject.Scenarios.Keys
            .Where(k => (k == "control" || k.StartsWith("control-", StringComparison.Ordinal)) && baseline.Scenarios.ContainsKey(k))
            .Order(StringComparer.Ordinal);
        foreach (var scenario in scenarios)
        {
            if (text.Length == 0)
            {
                text.AppendLine();
                text.AppendLine(CultureInfo.InvariantCulture, $"control-path goals ({subject.Name} against {baseline.Name}):");
            }

            foreach (var (figure, relation, bound) in new[] { ("control_cps", ">=", 1.5), ("offer_p99_ms", "<=", 1.0), ("relay_kb_per_call", "<=", 1.0) })
            {
                var ratio = Ratio(Value(subject, scenario, figure), Value(baseline, scenario, figure));
                var verdict = double.IsNaN(ratio) ? "n/a" : (relation == ">=" ? ratio >= bound : ratio <= bound) ? "met" : "NOT met";
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {scenario} {figure}: {subject.Name}/{baseline.Name} = {FormatRatio(ratio)} (goal {relation} {bound.ToString("0.0#", CultureInfo.InvariantCulture)}): {verdict}");
            }
        }

        return text.ToString();
    }

    private static double Value((string Name, Dictionary<string, Run> Scenarios) run, string scenario, string figure) =>
        run.Scenarios.TryGetValue(scenario, out var r) && r.Ok && r.Figures.TryGetValue(figure, out var v) ? v : double.NaN;

    private static double Ratio(double numerator, double denominator) =>
        double.IsFinite(numerator) && double.IsFinite(denominator) && denominator != 0 ? numerator / denominator : double.NaN;

    private static string FormatRatio(double ratio) => double.IsNaN(ratio) ? "-" : ratio.ToString("0.00", CultureInfo.InvariantCulture);

    private static (string Name, Dictionary<string, Run> Scenarios) Load(string file, string fallbackName)
    {
        var name = fallbackName;
        var scenarios = new Dictionary<string, Run>(StringComparer.Ordinal);
        if (!File.Exists(file))
        {
            return (name, scenarios);
        }

        foreach (var raw in File.ReadLines(file))
        {
            var line = raw.StartsWith(JsonPrefix, StringComparison.Ordinal) ? raw[JsonPrefix.Length..] : raw;
            if (!line.StartsWith('{'))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                var scenario = root.GetProperty("scenario").GetString() ?? "?";
                if (root.TryGetProperty("relay", out var relay) && relay.GetString() is { } relayName)
                {
                    name = relayName;
                }

                var figures = new Dictionary<string, double>(StringComparer.Ordinal);
                if (root.TryGetProperty("figures", out var figureElement))
                {
                    foreach (var property in figureElement.EnumerateObject())
                    {
                        figures[property.Name] = property.Value.ValueKind == JsonValueKind.Number ? property.Value.GetDouble() : double.NaN;
                    }
                }

                // A scenario that was already seen is replaced by its newest run.
                var ok = root.TryGetProperty("ok", out var okElement) && okElement.ValueKind == JsonValueKind.True;
                scenarios[scenario] = new Run(ok, figures);
            }
            catch (JsonException)
            {
                // A truncated line from a killed run: skip it; the scenario then shows as failed.
            }
        }

        return (name, scenarios);
    }

    private sealed record Run(bool Ok, Dictionary<string, double> Figures);
}
