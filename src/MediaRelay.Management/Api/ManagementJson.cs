using System.Text.Json;
using System.Text.Json.Serialization;

namespace MediaRelay.Management.Api;

/// <summary>The management API's JSON: snake_case names as MediaProxy's summary has them, nulls written.</summary>
public static class ManagementJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
