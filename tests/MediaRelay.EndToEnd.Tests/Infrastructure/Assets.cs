using System.Text.RegularExpressions;

namespace MediaRelay.EndToEnd.Tests.Infrastructure;

/// <summary>The templates in assets/, copied next to the test assembly, with their @NAME@ placeholders filled in.</summary>
internal static partial class Assets
{
    public static string Fill(string name, IReadOnlyDictionary<string, string> values)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "assets", name));
        foreach (var (key, value) in values)
        {
            text = text.Replace("@" + key + "@", value, StringComparison.Ordinal);
        }

        var left = Placeholder().Match(text);
        return left.Success ? throw new InvalidOperationException($"{name}: placeholder {left.Value} left unfilled") : text;
    }

    [GeneratedRegex("@[A-Z_]+@")]
    private static partial Regex Placeholder();
}
