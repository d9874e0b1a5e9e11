namespace Bilevel.Solvers.Paper002;

/// <summary>One-line option errors that name the option (for the paper-002 solvers' constructors).</summary>
internal static class OptionChecks
{
    /// <summary>Throws unless <paramref name="value"/> is positive and finite.</summary>
    public static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be positive and finite, got {value}");
        }
    }

    /// <summary>Throws with <paramref name="message"/> unless <paramref name="condition"/> holds.</summary>
    public static void Require(bool condition, string name, string message)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, message);
        }
    }
}
