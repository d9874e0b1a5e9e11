using System.Globalization;
using System.Reflection;
using System.Xml.Linq;

namespace Bilevel.Solvers;

/// <summary>One option of a solver: its name, type, default and documentation (from the XML docs of the record).</summary>
public sealed record OptionDescription(string Name, string Type, string Default, string Description);

/// <summary>
/// Changes options records by <c>key=value</c> text (the CLI's <c>--set</c>): keys match property names ignoring
/// case, '-' and '_'; values parse as the property's type (int, long, double, bool, enums by name,
/// <see cref="StepSize"/>). Records are copied, never changed in place.
/// </summary>
public static class OptionsBinder
{
    private static readonly Lazy<Dictionary<string, Dictionary<string, string>>> Docs = new(LoadDocumentation);

    /// <summary>Splits <c>key=value</c>; one-line error otherwise.</summary>
    public static (string Key, string Value) ParseSetting(string setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var eq = setting.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == setting.Length - 1)
        {
            throw new FormatException($"setting '{setting}' is not of the form key=value");
        }

        return (setting[..eq].Trim(), setting[(eq + 1)..].Trim());
    }

    /// <summary>A copy of <paramref name="options"/> with the settings applied.</summary>
    public static object Apply(object options, IEnumerable<KeyValuePair<string, string>> settings, string owner)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        var type = options.GetType();
        var clone = type.GetMethod("<Clone>$") ?? throw new ArgumentException($"{type.Name} is not a record", nameof(options));
        var copy = clone.Invoke(options, null)!;
        var properties = Settable(type);
        foreach (var (key, value) in settings)
        {
            var property = Find(properties, key)
                ?? throw new ArgumentException($"'{key}' is not an option of {owner} (options: {string.Join(", ", properties.Select(p => p.Name))})");
            property.SetValue(copy, Parse(value, property.PropertyType, $"{owner} option {property.Name}"));
        }

        return copy;
    }

    /// <summary>The options of a record with their current values and documentation.</summary>
    public static IReadOnlyList<OptionDescription> Describe(object options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var type = options.GetType();
        Docs.Value.TryGetValue(type.FullName ?? type.Name, out var docs);
        var list = new List<OptionDescription>();
        foreach (var property in Settable(type))
        {
            var doc = docs is not null && docs.TryGetValue(property.Name, out var text) ? text : "";
            list.Add(new OptionDescription(property.Name, TypeName(property.PropertyType), Format(property.GetValue(options)), doc));
        }

        return list;
    }

    /// <summary>Formats an option value as <see cref="Apply"/> parses it.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => value.ToString() ?? "",
    };

    private static PropertyInfo[] Settable(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")];

    private static PropertyInfo? Find(PropertyInfo[] properties, string key)
    {
        var normalized = Normalize(key);
        return properties.FirstOrDefault(p => Normalize(p.Name) == normalized);
    }

    private static string Normalize(string name) => name.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToUpperInvariant();

    private static object Parse(string text, Type type, string name)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        try
        {
            if (target == typeof(StepSize))
            {
                return StepSize.Parse(text);
            }

            if (target.IsEnum)
            {
                return Enum.Parse(target, text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true);
            }

            if (target == typeof(bool))
            {
                return bool.Parse(text);
            }

            if (target == typeof(string))
            {
                return text;
            }

            return Convert.ChangeType(text, target, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException or ArgumentException)
        {
            var choices = target.IsEnum ? $" (choices: {string.Join(", ", Enum.GetNames(target))})" : "";
            throw new ArgumentException($"{name}: '{text}' is not a valid {TypeName(target)}{choices}", e);
        }
    }

    private static string TypeName(Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        return target == typeof(double) ? "double" : target == typeof(int) ? "int" : target == typeof(long) ? "long"
            : target == typeof(bool) ? "bool" : target == typeof(StepSize) ? "step size" : target.Name;
    }

    /// <summary>Reads the &lt;param&gt; and property summaries of options records from the library's XML documentation file.</summary>
    private static Dictionary<string, Dictionary<string, string>> LoadDocumentation()
    {
        var result = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var path = Path.ChangeExtension(typeof(OptionsBinder).Assembly.Location, ".xml");
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            return result;
        }

        foreach (var member in XDocument.Load(path).Descendants("member"))
        {
            var name = (string?)member.Attribute("name") ?? "";
            if (name.StartsWith("T:", StringComparison.Ordinal))
            {
                foreach (var param in member.Elements("param"))
                {
                    Add(name[2..], (string?)param.Attribute("name") ?? "", param);
                }
            }
            else if (name.StartsWith("P:", StringComparison.Ordinal) && member.Element("summary") is { } summary)
            {
                var dot = name.LastIndexOf('.');
                Add(name[2..dot], name[(dot + 1)..], summary);
            }
        }

        return result;

        void Add(string type, string property, XElement text)
        {
            if (!result.TryGetValue(type, out var map))
            {
                result[type] = map = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            var flat = string.Join(' ', string.Concat(text.Nodes().Select(n => n is XElement e ? (string?)e.Attribute("cref")?.Value.Split('.')[^1] ?? e.Value : n.ToString()))
                .Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
            map.TryAdd(property, flat);
        }
    }
}
