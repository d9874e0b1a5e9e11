namespace Bilevel.Solvers.Paper002;

/// <summary>
/// The state BSA and TTSA share: x, y, the four batch streams (inner steps, upper gradients, Hessian products, cross
/// product, created in that order), the randomised-truncation estimator and scratch.
/// </summary>
public sealed class RandomizedNeumannState : SolverState
{
    internal RandomizedNeumannState(SolverContext context, int lowerBatchSize, int upperBatchSize, int hessianBatchSize, int crossBatchSize,
        int neumannSteps, double neumannStep)
        : base(context)
    {
        var problem = context.Problem;
        LowerSamples = LowerBatches(lowerBatchSize);
        UpperSamples = UpperBatches(upperBatchSize);
        HessianSamples = LowerBatches(hessianBatchSize);
        CrossSamples = LowerBatches(crossBatchSize);
        Estimator = new RandomizedNeumannEstimator(problem, neumannSteps, neumannStep);
        LowerGradient = new double[problem.LowerDimension];
        Hypergradient = new double[problem.UpperDimension];
    }

    /// <summary>The last hypergradient estimate (BSA's ∇̄f, TTSA's h_k).</summary>
    public double[] Hypergradient { get; }

    /// <summary>The estimator (its <see cref="RandomizedNeumannEstimator.LastProductLength"/> is p_k).</summary>
    public RandomizedNeumannEstimator Estimator { get; }

    internal BatchSource LowerSamples { get; }

    internal BatchSource UpperSamples { get; }

    internal BatchSource HessianSamples { get; }

    internal BatchSource CrossSamples { get; }

    internal double[] LowerGradient { get; }
}
