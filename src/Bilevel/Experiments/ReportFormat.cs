using System.Globalization;

namespace Bilevel.Experiments;

/// <summary>How experiment tables and claims print numbers (invariant culture).</summary>
internal static class ReportFormat
{
    /// <summary>Four significant digits.</summary>
    public static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>A fraction as a percentage with two decimals ("—" for NaN).</summary>
    public static string Percent(double value) => double.IsNaN(value) ? "—" : (100 * value).ToString("F2", CultureInfo.InvariantCulture) + "%";

    /// <summary>A whole number in full ("17592", not "1.759E+04").</summary>
    public static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A cost to reach a target, or "not reached".</summary>
    public static string Cost(double? value) => value is { } v ? Number(v) : "not reached";
}
