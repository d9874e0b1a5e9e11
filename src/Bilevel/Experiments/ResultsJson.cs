using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bilevel.Experiments;

/// <summary>The JSON form of every experiment's results (<c>summary.json</c>, <c>bilevel reproduce … --json</c>).</summary>
public static class ResultsJson
{
    /// <summary>Indented, camelCase names, NaN and ∞ as named literals, enums in kebab case.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };
}
