using System.Numerics.Tensors;
using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper003;

/// <summary>
/// Small vector updates that the momentum and projected baselines of paper 003 share (MRBO, F³SA, MA-SOBA); usable by
/// any solver: the STORM recursive-momentum estimator, the moving average, and the Euclidean projection onto a ball.
/// </summary>
public static class StochasticUpdates
{
    /// <summary>
    /// The STORM / recursive-momentum estimator (Cutkosky &amp; Orabona 2019; MRBO eq. (5)–(6); F³SA, Kwon et al. 2023):
    /// d ← ĝ(current) + (1 − a) (d − ĝ(previous)), both ĝ on the same mini-batch; in place on
    /// <paramref name="estimate"/>. <paramref name="weight"/> is a ∈ [0, 1] (a = 1: plain SGD).
    /// </summary>
    public static void Storm(Span<double> estimate, ReadOnlySpan<double> current, ReadOnlySpan<double> previous, double weight)
    {
        // d ← (d − prev)(1 − a) + cur
        TensorPrimitives.Subtract(estimate, previous, estimate);
        TensorPrimitives.MultiplyAdd(estimate, 1 - weight, current, estimate);
    }

    /// <summary>The moving average w ← (1 − θ) w + θ d, in place on <paramref name="average"/> (MA-SOBA's upper direction).</summary>
    public static void MovingAverage(Span<double> average, ReadOnlySpan<double> direction, double theta)
    {
        TensorPrimitives.Multiply(average, 1 - theta, average);
        Vectors.Axpy(theta, direction, average);
    }

    /// <summary>
    /// Projects <paramref name="vector"/> in place onto the ball {‖v‖ ≤ <paramref name="radius"/>}; an infinite radius
    /// leaves it unchanged. Returns true when it was shrunk.
    /// </summary>
    public static bool ProjectOntoBall(Span<double> vector, double radius)
    {
        if (double.IsPositiveInfinity(radius))
        {
            return false;
        }

        var norm = Vectors.Norm(vector);
        if (norm <= radius)
        {
            return false;
        }

        TensorPrimitives.Multiply(vector, radius / norm, vector);
        return true;
    }
}
