namespace Bilevel.Solvers.Paper003;

/// <summary>One-line option checks of the paper-003 solvers; each names the option it rejects.</summary>
internal static class OptionChecks
{
    /// <summary>Throws unless 0 &lt; value &lt; ∞.</summary>
    internal static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be positive and finite, got {value}");
        }
    }

    /// <summary>Throws unless 0 ≤ value &lt; ∞.</summary>
    internal static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be non-negative and finite, got {value}");
        }
    }

    /// <summary>Throws unless 0 &lt; value ≤ 1.</summary>
    internal static void Weight(double value, string name)
    {
        if (!(value > 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be a weight in (0, 1], got {value}");
        }
    }

    /// <summary>Throws unless 0 &lt; value (∞ allowed).</summary>
    internal static void PositiveOrInfinite(double value, string name)
    {
        if (!(value > 0))
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be positive (Infinity: none), got {value}");
        }
    }
}
