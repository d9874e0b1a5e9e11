using Bilevel.Hypergradients;
using Bilevel.Numerics;
using Bilevel.Problems;

namespace Bilevel.Solvers.Paper000;

/// <summary>
/// Options of <see cref="Bp"/>. Defaults: paper 000 App. E (δ = 1000, c_τ = 0.001, c_η = 9e-4, batch size 256) and
/// Fig. 2's best variant BP_201 (T = 201, no warm start: "if inner gradient steps equal to 1, we use the warm start
/// trick, otherwise not").
/// </summary>
/// <param name="OuterStep">α_k = δ/√(k+1) of the shared STORM outer update (Algorithm 1 line 3, Theorem 17); App. E: δ = 1000.</param>
/// <param name="InnerStepScale">c_τ, the lower SGD step τ = c_τ α_k (Algorithm 1 line 4, as for FSLA); App. E: 0.001.</param>
/// <param name="MomentumScale">c_η, the STORM weight η = min(1, c_η α_k) (Algorithm 1 lines 4 and 9); App. E: 9e-4.</param>
/// <param name="InnerSteps">T, lower SGD steps per hyper-iteration, all differentiated (legend BP_T; Fig. 2's best: 201).</param>
/// <param name="WarmStart">Start the T steps from the last lower iterate (the paper's single-loop T = 1 form) instead of y₀ (§6.2).</param>
/// <param name="BatchSize">Samples per mini-batch (§6.2: 256; 0 or ≥ n: full batches).</param>
public sealed record BpOptions(
    StepSize OuterStep,
    double InnerStepScale = 0.001,
    double MomentumScale = 9e-4,
    int InnerSteps = 201,
    bool WarmStart = false,
    int BatchSize = 256)
{
    public BpOptions()
        : this(StepSize.Decaying(1000, 0.5))
    {
    }

    internal StormBaselineSettings Settings => new(OuterStep, InnerStepScale, MomentumScale, InnerSteps, WarmStart, BatchSize);
}

/// <summary>
/// BP, paper 000's back-propagation (reverse-mode iterative differentiation) baseline, Lemma 2 (backward mode,
/// BP case) and §6.2: the derivative of x ↦ f(x, ŷ_T(x)) through the T recorded SGD steps,
/// h = ∇x f(x, ŷ_T) − Σ_{t=0}^{T−1} τ_t ∇²xy g(x, ŷ_t) Π_{s=t+1}^{T−1}(I − τ_s ∇²yy g(x, ŷ_s)) ∇y f(x, ŷ_T),
/// by the backward recursion of digest §3.4, under the STORM outer update shared with FSLA (<see cref="StormBaselineSolver{TOptions, TState}"/>).
/// </summary>
/// <remarks>
/// The backward pass evaluates its Hessian and cross products on one fresh lower batch per hyper-iteration (the
/// fused oracle at each ŷ_t), not on the forward steps' batches: the paper does not say which samples its
/// autograd pass sees, and one batch lets the STORM correction apply the same estimator to the previous
/// trajectory on the same samples. With full batches this is exactly autograd through the unrolled loop.
/// Cost per iteration: T ∇y g + 2 (1 ∇x f + 1 ∇y f + T cross + (T − 1) HVP).
/// </remarks>
public sealed class Bp : StormBaselineSolver<BpOptions, Bp.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "bp", "BP", "000", "Paper 000, Lemma 2 (backward mode, BP case) and §6.2 baseline with the STORM update of Algorithm 1 line 9",
        LoopStructure.DoubleLoop, Stochastic: true, "T ∇y g + 2 (1 ∇x f + 1 ∇y f + T cross + (T − 1) HVP)");

    public Bp(BpOptions options)
        : base(options) => options.Settings.Validate();

    public override SolverInfo Info => Description;

    protected override State CreateBaselineState(SolverContext context) => new(context, Options);

    protected override void Estimate(State state, ReadOnlySpan<double> x, LowerTrajectory trajectory, Span<double> hypergradient,
        Batch upper, Batch hessian, Batch cross)
    {
        var problem = state.Problem;
        problem.UpperGradients(x, trajectory.Last, hypergradient, state.Adjoint, upper);
        for (var t = trajectory.Steps - 1; t >= 0; t--)
        {
            var step = trajectory.StepSize(t);
            var y = trajectory.Iterate(t);
            if (t > 0)
            {
                problem.LowerHvpAndCrossProduct(x, y, state.Adjoint, state.Hvp, state.Cross, hessian);
                Vectors.Axpy(-step, state.Cross, hypergradient);
                Vectors.Axpy(-step, state.Hvp, state.Adjoint);
            }
            else
            {
                problem.LowerCrossProduct(x, y, state.Adjoint, state.Cross, hessian);
                Vectors.Axpy(-step, state.Cross, hypergradient);
            }
        }
    }

    /// <summary>BP's state: the shared baseline state (with the full lower history) and the adjoint.</summary>
    public sealed class State : StormBaselineState
    {
        internal State(SolverContext context, BpOptions options)
            : base(context, options.Settings, keepHistory: true)
        {
            var dy = context.Problem.LowerDimension;
            Adjoint = new double[dy];
            Hvp = new double[dy];
            Cross = new double[context.Problem.UpperDimension];
        }

        internal double[] Adjoint { get; }

        internal double[] Hvp { get; }

        internal double[] Cross { get; }
    }
}
