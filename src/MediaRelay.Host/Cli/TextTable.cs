using System.Globalization;
using System.Text;

namespace MediaRelay.Host.Cli;

/// <summary>A plain-text table with aligned columns (numbers to the right), and the units the verbs print.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public int Count => _rows.Count;

    public override string ToString()
    {
        var widths = new int[headers.Length];
        for (var i = 0; i < headers.Length; i++)
        {
            widths[i] = _rows.Select(r => r[i].Length).Append(headers[i].Length).Max();
        }

        var text = new StringBuilder();
        Line(text, headers, widths);
        foreach (var row in _rows)
        {
            Line(text, row, widths);
        }

        return text.ToString();
    }

    private static void Line(StringBuilder text, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            var numeric = cells[i].Length > 0 && (char.IsAsciiDigit(cells[i][0]) || cells[i][0] == '-') && i > 0;
            var cell = numeric ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]);
            text.Append(i == cells.Length - 1 ? cell.TrimEnd() : cell + "  ");
        }

        text.Append('\n');
    }

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Bytes(double bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (1L << 30)).ToString("F1", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (1L << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / (1L << 10)).ToString("F1", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString("F0", CultureInfo.InvariantCulture) + " B",
    };

    public static string Bits(double bitsPerSecond) => bitsPerSecond switch
    {
        >= 1e9 => (bitsPerSecond / 1e9).ToString("F2", CultureInfo.InvariantCulture) + " Gbit/s",
        >= 1e6 => (bitsPerSecond / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " Mbit/s",
        >= 1e3 => (bitsPerSecond / 1e3).ToString("F1", CultureInfo.InvariantCulture) + " kbit/s",
        _ => bitsPerSecond.ToString("F0", CultureInfo.InvariantCulture) + " bit/s",
    };

    public static string Duration(double seconds)
    {
        var span = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return span.TotalDays >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays}d{span.Hours:00}:{span.Minutes:00}:{span.Seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours:00}:{span.Minutes:00}:{span.Seconds:00}");
    }
}
