using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Bilevel.Problems;

/// <summary>The result of <see cref="LowerLevelFit.Minimize"/>.</summary>
/// <param name="Y">The minimiser found.</param>
/// <param name="Value">g(x, y) there (full data).</param>
/// <param name="GradientNorm">‖∇y g(x, y)‖ there.</param>
/// <param name="Iterations">L-BFGS iterations.</param>
public sealed record LowerLevelSolution(double[] Y, double Value, double GradientNorm, int Iterations);

/// <summary>
/// Solves the lower level min_y g(x, y) at a fixed x on the full data with Math.NET's L-BFGS: used for reference
/// points a bilevel run is compared with (the model trained on uniform weights, on the clean subset only), not inside
/// solvers. Oracle calls are counted on the problem as usual.
/// </summary>
public static class LowerLevelFit
{
    /// <summary>Minimises g(x, ·) from <paramref name="yStart"/> (zeros when null) until ‖∇y g‖ ≤ <paramref name="gradientTolerance"/> or <paramref name="maxIterations"/>.</summary>
    public static LowerLevelSolution Minimize(BilevelProblem problem, ReadOnlySpan<double> x, double[]? yStart = null, int maxIterations = 200, double gradientTolerance = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        if (x.Length != problem.UpperDimension)
        {
            throw new ArgumentException($"x has length {x.Length}, expected {problem.UpperDimension}", nameof(x));
        }

        var upper = x.ToArray();
        var gradient = new double[problem.LowerDimension];
        var objective = ObjectiveFunction.Gradient(y =>
        {
            var values = y.AsArray() ?? y.ToArray();
            var value = problem.LowerValue(upper, values);
            problem.LowerGradientY(upper, values, gradient);
            return (value, Vector<double>.Build.DenseOfArray((double[])gradient.Clone()));
        });
        var start = Vector<double>.Build.DenseOfArray(yStart is null ? new double[problem.LowerDimension] : (double[])yStart.Clone());
        var minimizer = new LimitedMemoryBfgsMinimizer(gradientTolerance, 1e-12, 1e-12, 10, maxIterations);
        Vector<double> best;
        int iterations;
        try
        {
            var result = minimizer.FindMinimum(objective, start);
            best = result.MinimizingPoint;
            iterations = result.Iterations;
        }
        catch (MaximumIterationsException)
        {
            // Math.NET throws when the budget runs out; the last evaluated point is what the budget bought.
            best = objective.Point ?? start;
            iterations = maxIterations;
        }

        var y = best.ToArray();
        var finalValue = problem.LowerValue(upper, y);
        problem.LowerGradientY(upper, y, gradient);
        return new LowerLevelSolution(y, finalValue, Numerics.Vectors.Norm(gradient), iterations);
    }
}
