using Bilevel.Problems.Newsgroups;
using Bilevel.Solvers;

namespace Bilevel.Benchmarks;

/// <summary>
/// Timings of the per-feature L2 problem on 20 Newsgroups (paper 002 §4.2: p = 101,629, c = 20, 5657 training /
/// 5657 validation rows, float64): each closed-form oracle on the full batch and on mini-batches.
/// </summary>
public static class NewsgroupsBenchmark
{
    /// <summary>
    /// Each oracle at a fixed point (λ = 0, small W) on the full batch (<paramref name="batchSize"/> 0) or on batches of
    /// <paramref name="batchSize"/> rows; median of <paramref name="repeats"/> after two warm-up calls.
    /// </summary>
    public static IReadOnlyList<OperationTiming> Oracles(PerFeatureL2Problem problem, int batchSize, int repeats = 11)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentOutOfRangeException.ThrowIfNegative(batchSize);
        var x = new double[problem.UpperDimension];
        var y = new double[problem.LowerDimension];
        var v = new double[problem.LowerDimension];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = Math.Sin(i);
            y[i] = 0.01 * Math.Cos(i);
        }

        var lower = new BatchSource(problem.LowerSampleCount, batchSize, 3);
        var upper = new BatchSource(problem.UpperSampleCount, batchSize, 4);
        var label = lower.IsFull ? "full batch" : $"batch {lower.BatchSize}";
        var gx = new double[problem.UpperDimension];
        var gy = new double[problem.LowerDimension];
        var hv = new double[problem.LowerDimension];
        var cross = new double[problem.UpperDimension];
        return
        [
            OperationTimer.Median($"g ({label})", repeats, () => problem.LowerValue(x, y, lower.Next())),
            OperationTimer.Median($"∇λ g + ∇W g ({label})", repeats, () => problem.LowerGradients(x, y, gx, gy, lower.Next())),
            OperationTimer.Median($"∇λ g alone ({label})", repeats, () => problem.LowerGradientX(x, y, gx, lower.Next())),
            OperationTimer.Median($"HVP ∇²WW g·v ({label})", repeats, () => problem.LowerHvp(x, y, v, hv, lower.Next())),
            OperationTimer.Median($"cross ∇²λW g·v ({label})", repeats, () => problem.LowerCrossProduct(x, y, v, cross, lower.Next())),
            OperationTimer.Median($"HVP + cross, one pass ({label})", repeats, () => problem.LowerHvpAndCrossProduct(x, y, v, hv, cross, lower.Next())),
            OperationTimer.Median($"f (validation {label})", repeats, () => problem.UpperValue(x, y, upper.Next())),
            OperationTimer.Median($"∇W f (validation {label})", repeats, () => problem.UpperGradientY(x, y, gy, upper.Next())),
            OperationTimer.Median("test accuracy and loss (7532 rows)", repeats, () => problem.TestScore(y)),
        ];
    }
}
