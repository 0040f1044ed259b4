using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using MediaRelay.Core.Api;
using MediaRelay.Core.Statistics;

namespace MediaRelay.Accounting;

/// <summary>
/// The JSON of the accounting records and of their <c>info</c> column: snake_case names as the management API has
/// them, addresses as text ("192.0.2.1:40000"), durations in seconds, end reasons in MediaProxy's words.
/// </summary>
public static class StatisticsJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>The spool's form: one line, no indentation.</summary>
    public static string Serialize(SessionStatistics call) => JsonSerializer.Serialize(call, Options);

    /// <summary>The same text as UTF-8 bytes (the accounting record's info column).</summary>
    public static byte[] SerializeToUtf8(SessionStatistics call) => JsonSerializer.SerializeToUtf8Bytes(call, Options);

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        options.Converters.Add(new EndPointConverter());
        options.Converters.Add(new AddressConverter());
        options.Converters.Add(new SecondsConverter());
        options.Converters.Add(new EndReasonConverter());
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class EndPointConverter : JsonConverter<IPEndPoint>
    {
        public override IPEndPoint? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetString() is { } text && IPEndPoint.TryParse(text, out var endPoint) ? endPoint : null;

        public override void Write(Utf8JsonWriter writer, IPEndPoint value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }

    private sealed class AddressConverter : JsonConverter<IPAddress>
    {
        public override IPAddress? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetString() is { } text && IPAddress.TryParse(text, out var address) ? address : null;

        public override void Write(Utf8JsonWriter writer, IPAddress value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }

    private sealed class SecondsConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            TimeSpan.FromSeconds(reader.GetDouble());

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(Math.Round(value.TotalSeconds, 6));
    }

    private sealed class EndReasonConverter : JsonConverter<EndReason>
    {
        public override EndReason Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString();
            foreach (var reason in Enum.GetValues<EndReason>())
            {
                if (reason.ToText() == text)
                {
                    return reason;
                }
            }

            return EndReason.None;
        }

        public override void Write(Utf8JsonWriter writer, EndReason value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToText());
    }

    /// <summary>A number as invariant text (for logs).</summary>
    internal static string Text(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
