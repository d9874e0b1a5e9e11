namespace Bilevel.Interactive;

/// <summary>
/// A value's representations by MIME type, as Jupyter's <c>display_data</c> carries them. <c>text/plain</c> is always
/// present. Values of JSON MIME types (<c>application/json</c>, <c>application/…+json</c>) hold JSON text that a
/// kernel writes as a JSON object, not as a string (nbformat's <c>^application/(.*\+)?json$</c> rule).
/// </summary>
public sealed class MimeBundle
{
    public const string PlainText = "text/plain";
    public const string Html = "text/html";
    public const string Png = "image/png";
    public const string Json = "application/json";
    public const string Plotly = "application/vnd.plotly.v1+json";

    private readonly Dictionary<string, string> _data = new(StringComparer.Ordinal);

    /// <summary>A bundle with its <c>text/plain</c> representation.</summary>
    public MimeBundle(string plainText) => _data[PlainText] = plainText ?? "";

    /// <summary>The representations in insertion order.</summary>
    public IReadOnlyDictionary<string, string> Data => _data;

    /// <summary>Adds (or replaces) a representation; PNG is base64 text, JSON types are JSON text.</summary>
    public MimeBundle With(string mimeType, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mimeType);
        ArgumentNullException.ThrowIfNull(value);
        _data[mimeType] = value;
        return this;
    }

    /// <summary>True for MIME types whose values are JSON documents (nbformat's rule).</summary>
    public static bool IsJsonMimeType(string mimeType) =>
        mimeType is not null && mimeType.StartsWith("application/", StringComparison.Ordinal)
        && (mimeType == Json || mimeType.EndsWith("+json", StringComparison.Ordinal));

    public override string ToString() => _data[PlainText];
}

/// <summary>A type that renders itself for notebooks: a kernel displays its bundle instead of <c>ToString()</c>.</summary>
public interface IMimeBundleSource
{
    /// <summary>The value's representations; <c>text/plain</c> always, richer types as the value has them.</summary>
    MimeBundle ToMimeBundle();
}
