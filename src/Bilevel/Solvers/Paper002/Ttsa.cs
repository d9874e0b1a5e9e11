using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper002;

/// <summary>
/// Options of <see cref="Ttsa"/>. Defaults: paper 002 App. A.2 (hyper-cleaning): single-sample batches (size 1) and one
/// inner step per iteration; η = 0.5 and N = 10 as stocBiO's η and Q (App. A.2); the two time scales of Hong et al.
/// (2020, nonconvex case: α ∝ K^{−3/5}, β ∝ K^{−2/5}) as the decaying schedules α_k = 0.1/(k + 1)^{3/5} and
/// β_k = 0.1/(k + 1)^{2/5}.
/// </summary>
/// <param name="InnerStep">β_k, the lower SGD step of Hong et al. eq. (6a) (time scale K^{−2/5}).</param>
/// <param name="OuterStep">α_k, the upper step of Hong et al. eq. (6b) (time scale K^{−3/5}).</param>
/// <param name="NeumannSteps">t_max: the product length p is drawn uniformly from {0, …, t_max − 1} (Hong et al. eq. 9).</param>
/// <param name="NeumannStep">η = c_h/L_g of Hong et al. eq. (9) (paper 002 App. A.2 grid 0.5·2^{−3…3}).</param>
/// <param name="LowerBatchSize">Samples of the lower SGD step (App. A.2: 1; 0 = full batch).</param>
/// <param name="UpperBatchSize">Samples ξ of ∇x F and ∇y F (App. A.2: 1; 0 = full batch).</param>
/// <param name="HessianBatchSize">Samples of each Hessian-vector product (App. A.2: 1; 0 = full batch).</param>
/// <param name="CrossBatchSize">Samples of the cross product (App. A.2: 1; 0 = full batch).</param>
public sealed record TtsaOptions(
    StepSize InnerStep,
    StepSize OuterStep,
    int NeumannSteps = 10,
    double NeumannStep = 0.5,
    int LowerBatchSize = 1,
    int UpperBatchSize = 1,
    int HessianBatchSize = 1,
    int CrossBatchSize = 1)
{
    public TtsaOptions()
        : this(StepSize.Decaying(0.1, 0.4), StepSize.Decaying(0.1, 0.6))
    {
    }
}

/// <summary>
/// TTSA (Hong, Wai, Wang, Yang 2020, "A two-timescale framework for bilevel optimization", Algorithm 1), the
/// single-loop stochastic baseline of paper 002 §5.3 / App. A.2 (digest §2.5 reference rule):
/// y_{k+1} = y_k − β_k ∇y G(x_k, y_k; ζ_k), then x_{k+1} = x_k − α_k h_k with h_k the randomized Neumann
/// hypergradient (<see cref="RandomizedNeumannEstimator"/>) at (x_k, y_{k+1}).
/// </summary>
/// <remarks>
/// Cost per iteration: 1 ∇y g + 1 ∇x f + 1 ∇y f + p_k HVP + 1 cross, p_k ~ U{0, …, N − 1}. Choices: Hong et al.
/// project x onto a constraint set X; here x is unconstrained (no projection). Their nonconvex analysis uses
/// constant steps tied to the horizon K (α = K^{−3/5}, β = K^{−2/5}); the defaults use the same exponents as
/// decaying schedules, which do not need K in advance.
/// </remarks>
public sealed class Ttsa : BilevelSolver<TtsaOptions, RandomizedNeumannState>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "ttsa", "TTSA", "002", "Paper 002, §5.3/App. A.2 baseline (Hong et al. 2020, Algorithm 1, eqs. 6 and 9)",
        LoopStructure.SingleLoop, Stochastic: true, "1 ∇y g + 1 ∇x f + 1 ∇y f + p_k HVP + 1 cross, p_k ~ U{0, …, N − 1}");

    public Ttsa(TtsaOptions options)
        : base(options)
    {
        options.InnerStep.Validate(nameof(options.InnerStep));
        options.OuterStep.Validate(nameof(options.OuterStep));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.NeumannSteps, nameof(options.NeumannSteps));
        OptionChecks.Positive(options.NeumannStep, nameof(options.NeumannStep));

        ArgumentOutOfRangeException.ThrowIfNegative(options.LowerBatchSize, nameof(options.LowerBatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(options.UpperBatchSize, nameof(options.UpperBatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(options.HessianBatchSize, nameof(options.HessianBatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(options.CrossBatchSize, nameof(options.CrossBatchSize));
    }

    public override SolverInfo Info => Description;

    protected override RandomizedNeumannState CreateState(SolverContext context) => new(context, Options.LowerBatchSize, Options.UpperBatchSize,
        Options.HessianBatchSize, Options.CrossBatchSize, Options.NeumannSteps, Options.NeumannStep);

    protected override void Advance(RandomizedNeumannState state)
    {
        var problem = state.Problem;
        var k = state.Iteration;
        problem.LowerGradientY(state.X, state.Y, state.LowerGradient, state.LowerSamples.Next());
        Vectors.Axpy(-Options.InnerStep.At(k), state.LowerGradient, state.Y);
        state.Estimator.Estimate(problem, state.X, state.Y, state.Hypergradient, state.Random, state.UpperSamples, state.HessianSamples, state.CrossSamples);
        Vectors.Axpy(-Options.OuterStep.At(k), state.Hypergradient, state.X);
        state.UpperSteps++;
    }
}
