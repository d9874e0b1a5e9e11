namespace Bilevel.Solvers;

/// <summary>One-line option errors that name the option, for the solvers' constructors.</summary>
internal static class OptionChecks
{
    /// <summary>Throws unless 0 &lt; value &lt; ∞.</summary>
    public static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be positive and finite, got {value}");
        }
    }

    /// <summary>Throws unless 0 ≤ value &lt; ∞.</summary>
    public static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be non-negative and finite, got {value}");
        }
    }

    /// <summary>Throws unless 0 &lt; value ≤ 1.</summary>
    public static void Weight(double value, string name)
    {
        if (!(value > 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be a weight in (0, 1], got {value}");
        }
    }

    /// <summary>Throws unless 0 &lt; value (∞ allowed).</summary>
    public static void PositiveOrInfinite(double value, string name)
    {
        if (!(value > 0))
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be positive (Infinity: none), got {value}");
        }
    }

    /// <summary>Throws with <paramref name="message"/> (which names the option) unless <paramref name="condition"/> holds.</summary>
    public static void Require(bool condition, string name, string message)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, message);
        }
    }
}
