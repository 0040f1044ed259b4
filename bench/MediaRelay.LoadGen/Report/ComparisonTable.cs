using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MediaRelay.LoadGen.Report;

/// <summary>
/// Reads JSON-lines result files (one per relay) and prints one table: scenario, figure, each relay's value, and
/// the ratio of the second relay to the first. A scenario missing or failed in a file shows "failed".
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
        if (runs.Count >= 2)
        {
            header.Add(runs[1].Name + "/" + runs[0].Name);
        }

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

                if (runs.Count >= 2)
                {
                    row.Add(double.IsFinite(values[0]) && double.IsFinite(values[1]) && values[0] != 0
                        ? (values[1] / values[0]).ToString("0.00", CultureInfo.InvariantCulture)
                        : "-");
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

        return text.ToString();
    }

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
