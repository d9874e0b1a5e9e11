using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper004;

/// <summary>
/// The Euclidean projection onto a ball B(ŷ, R) = {y : ‖y − ŷ‖ ≤ R} (paper 004 §3.1, used by Algorithm 2 line 4 and
/// Algorithm 3 line 4): Π(v) = ŷ + (v − ŷ)·min(1, R / ‖v − ŷ‖).
/// </summary>
public static class BallProjection
{
    /// <summary>Projects <paramref name="point"/> onto the ball of radius <paramref name="radius"/> around <paramref name="center"/>, in place; returns true when it moved.</summary>
    public static bool Project(Span<double> point, ReadOnlySpan<double> center, double radius) => Project(point, center, radius, out _);

    /// <summary>As <see cref="Project(Span{double}, ReadOnlySpan{double}, double)"/>; <paramref name="distance"/> is ‖point − center‖ before the projection.</summary>
    public static bool Project(Span<double> point, ReadOnlySpan<double> center, double radius, out double distance)
    {
        if (point.Length != center.Length)
        {
            throw new ArgumentException($"point has length {point.Length}, center {center.Length}", nameof(center));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(radius);
        distance = Vectors.Distance(point, center);
        if (distance <= radius)
        {
            return false;
        }

        var scale = radius / distance;
        for (var i = 0; i < point.Length; i++)
        {
            point[i] = center[i] + ((point[i] - center[i]) * scale);
        }

        return true;
    }
}
