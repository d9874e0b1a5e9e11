using Bilevel.Hypergradients;
using Bilevel.LinearSolvers;
using Bilevel.Problems;

namespace Bilevel.Solvers.Paper000;

/// <summary>
/// Options of <see cref="Cg"/>. Defaults: paper 000 App. E (δ = 1000, c_τ = 0.001, c_η = 9e-4, batch size 256;
/// "CG converges with around 10 steps": K = 10) and the single-loop form CG_1_K (T = 1 with warm start).
/// </summary>
/// <param name="OuterStep">α_k = δ/√(k+1) of the shared STORM outer update (Algorithm 1 line 3, Theorem 17); App. E: δ = 1000.</param>
/// <param name="InnerStepScale">c_τ, the lower SGD step τ = c_τ α_k (Algorithm 1 line 4); App. E: 0.001.</param>
/// <param name="MomentumScale">c_η, the STORM weight η = min(1, c_η α_k) (Algorithm 1 lines 4 and 9); App. E: 9e-4.</param>
/// <param name="InnerSteps">T, lower SGD steps per hyper-iteration (legend CG_T_K; T = 1 is the warm-start single loop).</param>
/// <param name="WarmStart">Start the T steps from the last lower iterate (the paper uses it exactly when T = 1) instead of y₀.</param>
/// <param name="CgIterations">K, conjugate-gradient iterations on ∇²yy g v = ∇y f from v = 0 (Eq. 4; §6.2: K ≈ 10).</param>
/// <param name="BatchSize">Samples per mini-batch (§6.2: 256; 0 or ≥ n: full batches).</param>
public sealed record CgOptions(
    StepSize OuterStep,
    double InnerStepScale = 0.001,
    double MomentumScale = 9e-4,
    int InnerSteps = 1,
    bool WarmStart = true,
    int CgIterations = 10,
    int BatchSize = 256)
{
    public CgOptions()
        : this(StepSize.Decaying(1000, 0.5))
    {
    }

    internal StormBaselineSettings Settings => new(OuterStep, InnerStepScale, MomentumScale, InnerSteps, WarmStart, BatchSize);
}

/// <summary>
/// CG, paper 000's conjugate-gradient baseline (Lemma 2, CG case, forward mode; Eq. 4, Nocedal &amp; Wright Alg. 5.2)
/// under the STORM outer update shared with FSLA: at the last lower iterate ŷ, K CG iterations on
/// ∇²yy g(x, ŷ) v = ∇y f(x, ŷ) from v = 0 and h = ∇x f(x, ŷ) − ∇²xy g(x, ŷ) v
/// (<see cref="StormBaselineSolver{TOptions, TState}"/>).
/// </summary>
/// <remarks>
/// On a non-convex lower level (the CNN of §6.2) CG stops at the first direction of non-positive curvature and
/// uses the iterate so far (truncated CG; the paper does not say what its CG does there).
/// v is not carried across hyper-iterations (§6.2 attributes CG_1_1's slowness to exactly this). The K Hessian
/// products of one solve share one lower batch (the paper does not say); the cross product uses another (as
/// Algorithm 1's ξ3 and ξ5). The correction at the old point re-solves there on the same batches.
/// Cost per iteration: T ∇y g + 2 (1 ∇x f + 1 ∇y f + K HVP + 1 cross) (fewer HVPs only if a residual is exactly 0).
/// </remarks>
public sealed class Cg : StormBaselineSolver<CgOptions, Cg.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "cg", "CG", "000", "Paper 000, Lemma 2 (CG case), Eq. 4, §6.2 baseline with the STORM update of Algorithm 1 line 9",
        LoopStructure.SingleLoop, Stochastic: true, "T ∇y g + 2 (1 ∇x f + 1 ∇y f + K HVP + 1 cross)");

    private readonly ConjugateGradient _cg;

    public Cg(CgOptions options)
        : base(options)
    {
        options.Settings.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.CgIterations, nameof(options.CgIterations));
        _cg = new ConjugateGradient(new ConjugateGradientOptions(options.CgIterations, WarmStart: false) { StopAtNegativeCurvature = true });
    }

    public override SolverInfo Info => Description;

    protected override State CreateBaselineState(SolverContext context) => new(context, Options);

    protected override void Estimate(State state, ReadOnlySpan<double> x, LowerTrajectory trajectory, Span<double> hypergradient,
        Batch upper, Batch hessian, Batch cross)
    {
        var y = trajectory.Last;
        state.Problem.UpperGradients(x, y, hypergradient, state.UpperGradientY, upper);
        _cg.Solve(state.Hessian.Bind(x, y, hessian), state.UpperGradientY, state.V);
        state.Problem.LowerCrossProduct(x, y, state.V, state.Cross, cross);
        System.Numerics.Tensors.TensorPrimitives.Subtract(hypergradient, state.Cross, hypergradient);
    }

    /// <summary>CG's state: the shared baseline state and the CG solution v.</summary>
    public sealed class State : StormBaselineState
    {
        internal State(SolverContext context, CgOptions options)
            : base(context, options.Settings, keepHistory: false)
        {
            var dy = context.Problem.LowerDimension;
            V = new double[dy];
            UpperGradientY = new double[dy];
            Cross = new double[context.Problem.UpperDimension];
            Hessian = new LowerHessianOperator(context.Problem);
        }

        /// <summary>The last CG solution v (of the last estimate computed).</summary>
        public double[] V { get; }

        internal double[] UpperGradientY { get; }

        internal double[] Cross { get; }

        internal LowerHessianOperator Hessian { get; }
    }
}
