using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MediaRelay.LoadGen.Report;

/// <summary>
/// The result of one run: named figures in a fixed order, plus free text lines for humans. Printed as an aligned
/// block and as one JSON line ("LOADGEN_JSON {...}") that compare.sh collects.
/// </summary>
internal sealed class RunReport
{
    private readonly List<KeyValuePair<string, double>> _figures = [];
    private readonly List<string> _lines = [];

    public RunReport(string mode, string scenario, string relay)
    {
        Mode = mode;
        Scenario = scenario;
        Relay = relay;
    }

    public string Mode { get; }

    public string Scenario { get; }

    public string Relay { get; }

    public bool Ok { get; set; } = true;

    public string? Error { get; set; }

    public IReadOnlyList<KeyValuePair<string, double>> Figures => _figures;

    public void Add(string key, double value) => _figures.Add(new KeyValuePair<string, double>(key, value));

    public void Note(string line) => _lines.Add(line);

    public double Get(string key)
    {
        foreach (var figure in _figures)
        {
            if (figure.Key == key)
            {
                return figure.Value;
            }
        }

        return double.NaN;
    }

    public string ToHuman()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"== {Mode} / {Scenario} against {Relay}: {(Ok ? "ok" : "FAILED")}");
        if (Error is not null)
        {
            text.Append(" (").Append(Error).Append(')');
        }

        text.AppendLine();
        foreach (var line in _lines)
        {
            text.Append("   ").AppendLine(line);
        }

        foreach (var figure in _figures)
        {
            text.Append(CultureInfo.InvariantCulture, $"   {figure.Key,-24} {Format(figure.Value)}").AppendLine();
        }

        return text.ToString();
    }

    public string ToJsonLine()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("tool", "mediarelay-loadgen");
            json.WriteString("mode", Mode);
            json.WriteString("scenario", Scenario);
            json.WriteString("relay", Relay);
            json.WriteBoolean("ok", Ok);
            if (Error is not null)
            {
                json.WriteString("error", Error);
            }

            json.WriteStartObject("figures");
            foreach (var figure in _figures)
            {
                if (double.IsFinite(figure.Value))
                {
                    json.WriteNumber(figure.Key, Math.Round(figure.Value, 4));
                }
                else
                {
                    json.WriteNull(figure.Key);
                }
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string Format(double value)
    {
        if (!double.IsFinite(value))
        {
            return "n/a";
        }

        return Math.Abs(value) >= 1000 || value == Math.Floor(value)
            ? value.ToString("#,0.##", CultureInfo.InvariantCulture)
            : value.ToString("0.###", CultureInfo.InvariantCulture);
    }
}
