using Bilevel.Data.Omniglot;
using Bilevel.Problems;
using Bilevel.Problems.HyperRepresentation;

namespace Bilevel.Benchmarks;

/// <summary>
/// Timings of the few-shot hyper-representation problem on Omniglot (papers 001 and 002): each oracle a solver calls,
/// at one point, for a ConvNet of a given width and a pool of N-way K-shot tasks, and the meta-test evaluation.
/// </summary>
public static class FewShotBenchmark
{
    /// <summary>
    /// Median of <paramref name="repeats"/> timings per oracle (after two warm-up calls) on a pool of
    /// <paramref name="tasks"/> meta-train episodes; "fresh x" oracles perturb x first so the feature cache misses.
    /// </summary>
    public static IReadOnlyList<OperationTiming> Oracles(int filters, int ways, int shots, int queries, int tasks, int repeats = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repeats);
        var sampler = OmniglotSetups.Sampler(OmniglotSplitPart.MetaTrain, rotations: true, seed: 1);
        var problem = new FewShotHyperRepresentationProblem<float>(FewShotTasks.Sample(sampler, tasks, ways, shots, queries), filters);
        var x = problem.InitialUpperPoint(1);
        var y = problem.InitialLowerPoint(2);
        var v = problem.InitialLowerPoint(3);
        var gx = new double[problem.UpperDimension];
        var gy = new double[problem.LowerDimension];
        var hv = new double[problem.LowerDimension];
        var cross = new double[problem.UpperDimension];
        var full = Batch.Full;
        var tag = $"{filters} filters, {ways}-way {shots}-shot, {queries} queries, {tasks} tasks";
        var evaluator = problem.CreateEvaluator();
        var testEpisodes = FewShotTasks.Sample(OmniglotSetups.Sampler(OmniglotSplitPart.MetaTest, rotations: false, seed: 4), 20, ways, shots, queries);
        var step = 0;
        void Perturb() => x[step++ % x.Length] += 1e-6;
        problem.LowerGradientY(x, y, gy, full);
        return
        [
            OperationTimer.Median($"∇y g, cached features ({tag})", repeats, () => problem.LowerGradientY(x, y, gy, full)),
            OperationTimer.Median($"HVP ∇²yy g·v, cached ({tag})", repeats, () => problem.LowerHvp(x, y, v, hv, full)),
            OperationTimer.Median($"∇y g, fresh x ({tag})", repeats, () =>
            {
                Perturb();
                problem.LowerGradientY(x, y, gy, full);
            }),
            OperationTimer.Median($"∇x f + ∇y f ({tag})", repeats, () => problem.UpperGradients(x, y, gx, gy, full)),
            OperationTimer.Median($"cross ∇²xy g·v ({tag})", repeats, () => problem.LowerCrossProduct(x, y, v, cross, full)),
            OperationTimer.Median($"HVP + cross, one pass ({tag})", repeats, () => problem.LowerHvpAndCrossProduct(x, y, v, hv, cross, full)),
            OperationTimer.Median($"meta-test, 20 episodes ({tag})", Math.Min(repeats, 3), () => evaluator.Evaluate(x, testEpisodes)),
        ];
    }
}
