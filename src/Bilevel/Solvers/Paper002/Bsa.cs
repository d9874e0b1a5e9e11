using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper002;

/// <summary>
/// Options of <see cref="Bsa"/>. Defaults: paper 002 App. A.2 (hyper-cleaning): single-sample batches (size 1) for
/// BSA; η = 0.5 and N = 10 as stocBiO's η and Q (App. A.2; the hyper-cleaning grids are η ∈ 0.5·2^{−3…3},
/// Q ∈ {3, 6, 12, 24}); inner steps t_k = ⌈(k + 1)^{1/2}⌉ (Ghadimi &amp; Wang 2018, nonconvex case); step sizes
/// α = β = 0.1 (the papers' are for their problems' scaling).
/// </summary>
/// <param name="InnerStep">The inner SGD step on y (Ghadimi &amp; Wang's β_t), at inner step t.</param>
/// <param name="OuterStep">The outer step on x (Ghadimi &amp; Wang's α_k), at outer iteration k.</param>
/// <param name="InnerStepsScale">c in t_k = ⌈c (k + 1)^a⌉, the growing number of inner SGD steps (GW 2018: c = 1).</param>
/// <param name="InnerStepsPower">a in t_k = ⌈c (k + 1)^a⌉ (GW 2018 nonconvex case: 1/2; 0 gives a constant ⌈c⌉).</param>
/// <param name="NeumannSteps">N: the product length p is drawn uniformly from {0, …, N − 1} (GW 2018 eq. 2.7).</param>
/// <param name="NeumannStep">η = 1/L_g of GW 2018 eq. 2.7 (paper 002 App. A.2 grid 0.5·2^{−3…3}).</param>
/// <param name="LowerBatchSize">Samples of each inner SGD step (App. A.2: 1, single-sample; 0 = full batch).</param>
/// <param name="UpperBatchSize">Samples ξ of ∇x F and ∇y F (App. A.2: 1; 0 = full batch).</param>
/// <param name="HessianBatchSize">Samples ζ_i of each Hessian-vector product (App. A.2: 1; 0 = full batch).</param>
/// <param name="CrossBatchSize">Samples ζ₀ of the cross product (App. A.2: 1; 0 = full batch).</param>
public sealed record BsaOptions(
    StepSize InnerStep,
    StepSize OuterStep,
    double InnerStepsScale = 1,
    double InnerStepsPower = 0.5,
    int NeumannSteps = 10,
    double NeumannStep = 0.5,
    int LowerBatchSize = 1,
    int UpperBatchSize = 1,
    int HessianBatchSize = 1,
    int CrossBatchSize = 1)
{
    public BsaOptions()
        : this(StepSize.Constant(0.1), StepSize.Constant(0.1))
    {
    }
}

/// <summary>
/// BSA (Ghadimi &amp; Wang 2018, "Approximation methods for bilevel programming", Algorithm 2), the stochastic baseline of
/// paper 002 §5.3 / App. A.2 (digest §2.5 reference rule): per outer iteration k, t_k warm-started SGD steps
/// y ← y − β_t ∇y G(x_k, y; ζ_t) with t_k growing as ⌈c (k + 1)^{1/2}⌉; the randomized Neumann hypergradient
/// (<see cref="RandomizedNeumannEstimator"/>) at (x_k, y_k); x_{k+1} = x_k − α_k ∇̄f.
/// </summary>
/// <remarks>
/// Cost per iteration: t_k ∇y g + 1 ∇x f + 1 ∇y f + p_k HVP + 1 cross, t_k = ⌈c (k + 1)^a⌉, p_k ~ U{0, …, N − 1}.
/// Choices: the inner loop is warm-started from the previous y (GW 2018 Algorithm 2 starts each inner loop at the
/// previous output); the authors' code runs BSA as the fixed-Q Neumann estimator with batch 1, while this follows
/// the original randomized-truncation rule.
/// </remarks>
public sealed class Bsa : BilevelSolver<BsaOptions, RandomizedNeumannState>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "bsa", "BSA", "002", "Paper 002, §5.3/App. A.2 baseline (Ghadimi & Wang 2018, Algorithm 2, eq. 2.7 randomized Neumann hypergradient)",
        LoopStructure.DoubleLoop, Stochastic: true, "t_k ∇y g + 1 ∇x f + 1 ∇y f + p_k HVP + 1 cross, t_k = ⌈c (k + 1)^a⌉, p_k ~ U{0, …, N − 1}");

    public Bsa(BsaOptions options)
        : base(options)
    {
        options.InnerStep.Validate(nameof(options.InnerStep));
        options.OuterStep.Validate(nameof(options.OuterStep));
        OptionChecks.Positive(options.InnerStepsScale, nameof(options.InnerStepsScale));
        OptionChecks.Require(options.InnerStepsPower is >= 0 and <= 2, nameof(options.InnerStepsPower), $"InnerStepsPower must lie in [0, 2], got {options.InnerStepsPower}");

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.NeumannSteps, nameof(options.NeumannSteps));
        OptionChecks.Positive(options.NeumannStep, nameof(options.NeumannStep));

        ArgumentOutOfRangeException.ThrowIfNegative(options.LowerBatchSize, nameof(options.LowerBatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(options.UpperBatchSize, nameof(options.UpperBatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(options.HessianBatchSize, nameof(options.HessianBatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(options.CrossBatchSize, nameof(options.CrossBatchSize));
    }

    public override SolverInfo Info => Description;

    /// <summary>t_k = ⌈c (k + 1)^a⌉, the inner steps of outer iteration k.</summary>
    public int InnerStepsAt(long k) => (int)Math.Ceiling(Options.InnerStepsScale * Math.Pow(k + 1, Options.InnerStepsPower));

    protected override RandomizedNeumannState CreateState(SolverContext context) => new(context, Options.LowerBatchSize, Options.UpperBatchSize,
        Options.HessianBatchSize, Options.CrossBatchSize, Options.NeumannSteps, Options.NeumannStep);

    protected override void Advance(RandomizedNeumannState state)
    {
        var problem = state.Problem;
        LowerSteps.Descend(problem, state.X, state.Y, InnerStepsAt(state.Iteration), Options.InnerStep, state.LowerSamples, state.LowerGradient);
        state.Estimator.Estimate(problem, state.X, state.Y, state.Hypergradient, state.Random, state.UpperSamples, state.HessianSamples, state.CrossSamples);
        Vectors.Axpy(-Options.OuterStep.At(state.Iteration), state.Hypergradient, state.X);
        state.UpperSteps++;
    }
}
