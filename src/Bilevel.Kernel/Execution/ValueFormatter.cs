using System.Collections;
using System.Globalization;
using System.Text;
using Bilevel.Interactive;

namespace Bilevel.Kernel.Execution;

/// <summary>
/// Chooses a value's MIME bundle: <see cref="IMimeBundleSource"/> types give their own; numbers print with
/// round-trip precision (invariant culture); sequences print as <c>[a, b, …]</c> (first 100 items); anything
/// else prints <c>ToString()</c>. A formatter that throws yields a plain-text note instead of failing the cell.
/// </summary>
internal static class ValueFormatter
{
    private const int MaxItems = 100;

    public static MimeBundle Format(object? value)
    {
        try
        {
            return value switch
            {
                null => new MimeBundle("null"),
                IMimeBundleSource source => source.ToMimeBundle(),
                MimeBundle bundle => bundle,
                _ => new MimeBundle(PlainText(value)),
            };
        }
#pragma warning disable CA1031 // A display must not take the kernel down: report the formatter's failure as text.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new MimeBundle($"<{value?.GetType().Name} could not be formatted: {e.GetType().Name}: {e.Message}>");
        }
    }

    public static string PlainText(object? value)
    {
        switch (value)
        {
            case null:
                return "null";
            case string text:
                return text;
            case double d:
                return d.ToString("R", CultureInfo.InvariantCulture);
            case float f:
                return f.ToString("R", CultureInfo.InvariantCulture);
            case IFormattable formattable when value.GetType().IsPrimitive || value is decimal:
                return formattable.ToString(null, CultureInfo.InvariantCulture);
            case IEnumerable sequence when !HasOwnToString(value):
                var builder = new StringBuilder("[");
                var count = 0;
                foreach (var item in sequence)
                {
                    if (count > 0)
                    {
                        builder.Append(", ");
                    }

                    if (count == MaxItems)
                    {
                        builder.Append('…');
                        break;
                    }

                    builder.Append(PlainText(item));
                    count++;
                }

                return builder.Append(']').ToString();
            default:
                return Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        }
    }

    private static bool HasOwnToString(object value)
    {
        var method = value.GetType().GetMethod(nameof(ToString), Type.EmptyTypes);
        var declaring = method?.DeclaringType;
        return declaring is not null && declaring != typeof(object) && !declaring.IsArray
            && declaring.Namespace?.StartsWith("System", StringComparison.Ordinal) != true;
    }
}
