using Bilevel.Numerics;

namespace Bilevel.LinearSolvers;

/// <summary>The result of <see cref="PowerIteration.LargestEigenvalue"/>.</summary>
/// <param name="Eigenvalue">The Rayleigh quotient vᵀAv of the last unit iterate: a lower bound of λ_max for symmetric A.</param>
/// <param name="Iterations">Applications of A.</param>
/// <param name="RelativeChange">|λ_k − λ_{k−1}| / |λ_k| at the last step.</param>
public sealed record EigenvalueEstimate(double Eigenvalue, int Iterations, double RelativeChange);

/// <summary>
/// The largest eigenvalue of a symmetric positive semi-definite operator by power iteration from a seeded random
/// start (for A = ∇²yy g: one HVP per step). Used to choose the Neumann step η ≤ 1/λ_max, under which I − ηA is
/// non-expansive and the series of paper 002 eq. (5) converges.
/// </summary>
public static class PowerIteration
{
    /// <summary>Iterates v ← Av/‖Av‖ until the Rayleigh quotient changes by less than <paramref name="tolerance"/> (relative) or <paramref name="maxIterations"/>.</summary>
    public static EigenvalueEstimate LargestEigenvalue(ILinearOperator operatorA, int maxIterations = 100, double tolerance = 1e-4, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(operatorA);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        var n = operatorA.Dimension;
        var v = new double[n];
        var av = new double[n];
        var random = new Random(seed);
        for (var i = 0; i < n; i++)
        {
            v[i] = random.NextDouble() - 0.5;
        }

        System.Numerics.Tensors.TensorPrimitives.Multiply(v, 1 / Vectors.Norm(v), v);
        var eigenvalue = 0.0;
        var change = double.PositiveInfinity;
        var k = 0;
        while (k < maxIterations)
        {
            operatorA.Apply(v, av);
            k++;
            var next = System.Numerics.Tensors.TensorPrimitives.Dot<double>(v, av);
            change = Math.Abs(next - eigenvalue) / Math.Max(Math.Abs(next), double.Epsilon);
            eigenvalue = next;
            var norm = Vectors.Norm(av);
            if (!(norm > 0) || !double.IsFinite(norm))
            {
                break;
            }

            for (var i = 0; i < n; i++)
            {
                v[i] = av[i] / norm;
            }

            if (change < tolerance)
            {
                break;
            }
        }

        return new EigenvalueEstimate(eigenvalue, k, change);
    }
}
