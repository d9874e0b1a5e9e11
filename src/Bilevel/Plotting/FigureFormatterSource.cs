using Bilevel.Interactive;

namespace Bilevel.Plotting;

/// <summary>
/// .NET Interactive discovers formatters, without a reference to its assemblies, through an attribute with this exact
/// name declared in the type's own assembly; the source's <c>CreateTypeFormatters()</c> returns objects with
/// <c>MimeType</c>, <c>Type</c> and <c>bool Format(object, TextWriter)</c>. This makes <see cref="Figure"/> render
/// under Polyglot Notebooks too.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface)]
internal sealed class TypeFormatterSourceAttribute : Attribute
{
    public TypeFormatterSourceAttribute(Type formatterSourceType) => FormatterSourceType = formatterSourceType;

    public Type FormatterSourceType { get; }

    public string[] PreferredMimeTypes { get; set; } = [];
}

/// <summary>The formatter source named by <see cref="Figure"/>'s <see cref="TypeFormatterSourceAttribute"/>.</summary>
internal sealed class FigureFormatterSource
{
#pragma warning disable CA1822 // Found by name through reflection by .NET Interactive.
    public IEnumerable<object> CreateTypeFormatters()
#pragma warning restore CA1822
    {
        yield return new FigureFormatter(MimeBundle.Html);
        yield return new FigureFormatter(MimeBundle.PlainText);
    }

    internal sealed class FigureFormatter(string mimeType)
    {
        public string MimeType { get; } = mimeType;

#pragma warning disable CA1822 // Read through reflection as an instance property.
        public Type Type => typeof(Figure);
#pragma warning restore CA1822

        public bool Format(object instance, TextWriter writer)
        {
            if (instance is not Figure figure || writer is null)
            {
                return false;
            }

            writer.Write(MimeType == MimeBundle.Html ? PlotlyHtml.Fragment(figure, PlotlyScriptMode.Always) : figure.Summary());
            return true;
        }
    }
}
