using Bilevel.Problems;
using Bilevel.Problems.HyperCleaning;
using Bilevel.Solvers;

namespace Bilevel.Benchmarks;

/// <summary>Median time of one operation over repeats.</summary>
/// <param name="Operation">What was timed.</param>
/// <param name="Milliseconds">Median wall-clock milliseconds.</param>
/// <param name="AllocatedBytes">Managed bytes allocated by one call in steady state (median).</param>
public sealed record OperationTiming(string Operation, double Milliseconds, long AllocatedBytes);

/// <summary>
/// Timings of linear hyper-cleaning on Fashion-MNIST at paper 002's setting (20000 training / 5000 validation
/// images, batch 1000, float32): each closed-form oracle, and one outer iteration of a catalogued solver
/// (stocBiO: T = 10 inner SGD steps, the validation gradient, Q = 3 HVPs, one cross product).
/// </summary>
public static class HyperCleaningBenchmark
{
    /// <summary>Fashion-MNIST hyper-cleaning at paper 002's sizes (<see cref="HyperCleaningSetups"/>: training and validation from the training file, test from the test file).</summary>
    public static LinearHyperCleaningProblem Paper002Problem(NumericPrecision precision = NumericPrecision.Precision32, int seed = 0) =>
        new(HyperCleaningSetups.Create(HyperCleaningDataset.FashionMnist, HyperCleaningSizes.Paper002, 0.1, seed), 0.001, precision);

    /// <summary>Each oracle on batches of <paramref name="batchSize"/> (median of <paramref name="repeats"/> after a warm-up).</summary>
    public static IReadOnlyList<OperationTiming> Oracles(LinearHyperCleaningProblem problem, int batchSize = 1000, int repeats = 21)
    {
        ArgumentNullException.ThrowIfNull(problem);
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
        var gy = new double[problem.LowerDimension];
        var hv = new double[problem.LowerDimension];
        var cross = new double[problem.UpperDimension];
        return
        [
            OperationTimer.Median($"∇y g (batch {batchSize})", repeats, () => problem.LowerGradientY(x, y, gy, lower.Next())),
            OperationTimer.Median($"HVP ∇²yy g·v (batch {batchSize})", repeats, () => problem.LowerHvp(x, y, v, hv, lower.Next())),
            OperationTimer.Median($"cross ∇²xy g·v (batch {batchSize})", repeats, () => problem.LowerCrossProduct(x, y, v, cross, lower.Next())),
            OperationTimer.Median($"HVP + cross, one pass (batch {batchSize})", repeats, () => problem.LowerHvpAndCrossProduct(x, y, v, hv, cross, lower.Next())),
            OperationTimer.Median($"∇y f (validation batch {batchSize})", repeats, () => problem.UpperGradientY(x, y, gy, upper.Next())),
        ];
    }

    /// <summary>One iteration of <paramref name="solver"/> on <paramref name="problem"/> (median over repeats, after at least <paramref name="warmup"/> warm-up iterations and <see cref="OperationTimer.WarmupSeconds"/>).</summary>
    public static OperationTiming Iteration(BilevelSolver solver, BilevelProblem problem, int repeats = 21, int warmup = 3)
    {
        ArgumentNullException.ThrowIfNull(solver);
        ArgumentNullException.ThrowIfNull(problem);
        var state = solver.Start(problem, new double[problem.UpperDimension], new double[problem.LowerDimension], 0);
        return OperationTimer.Median($"{solver.Info.DisplayName} iteration", repeats, () => solver.Iterate(state), warmup);
    }
}
