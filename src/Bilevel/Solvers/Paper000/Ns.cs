using Bilevel.Hypergradients;
using Bilevel.LinearSolvers;
using Bilevel.Problems;

namespace Bilevel.Solvers.Paper000;

/// <summary>
/// Options of <see cref="Ns"/>. Defaults: paper 000 App. E (δ = 1000, c_τ = 0.001, c_η = 9e-4, Neumann step
/// β = 0.1, batch size 256) and the single-loop form NS_1_K (T = 1 with warm start). The number of terms K is not
/// given for NS (App. E gives K ≈ 10 for CG only): the default K = 10 is this implementation's choice.
/// </summary>
/// <param name="OuterStep">α_k = δ/√(k+1) of the shared STORM outer update (Algorithm 1 line 3, Theorem 17); App. E: δ = 1000.</param>
/// <param name="InnerStepScale">c_τ, the lower SGD step τ = c_τ α_k (Algorithm 1 line 4); App. E: 0.001.</param>
/// <param name="MomentumScale">c_η, the STORM weight η = min(1, c_η α_k) (Algorithm 1 lines 4 and 9); App. E: 9e-4.</param>
/// <param name="InnerSteps">T, lower SGD steps per hyper-iteration (legend NS_T_K; T = 1 is the warm-start single loop).</param>
/// <param name="WarmStart">Start the T steps from the last lower iterate (the paper uses it exactly when T = 1) instead of y₀.</param>
/// <param name="Terms">K, Neumann terms v = β Σ_{k=0}^{K−1} (I − β ∇²yy g)^k ∇y f (Eq. 3; K − 1 HVPs).</param>
/// <param name="NeumannStep">β of Eq. 3, with β λ_max(∇²yy g) &lt; 1; App. E: 0.1.</param>
/// <param name="BatchSize">Samples per mini-batch (§6.2: 256; 0 or ≥ n: full batches).</param>
public sealed record NsOptions(
    StepSize OuterStep,
    double InnerStepScale = 0.001,
    double MomentumScale = 9e-4,
    int InnerSteps = 1,
    bool WarmStart = true,
    int Terms = 10,
    double NeumannStep = 0.1,
    int BatchSize = 256)
{
    public NsOptions()
        : this(StepSize.Decaying(1000, 0.5))
    {
    }

    internal StormBaselineSettings Settings => new(OuterStep, InnerStepScale, MomentumScale, InnerSteps, WarmStart, BatchSize);
}

/// <summary>
/// NS, paper 000's Neumann-series baseline (Lemma 2, NS case; Eq. 3) under the STORM outer update shared with FSLA:
/// at the last lower iterate ŷ, v = β Σ_{k=0}^{K−1} (I − β ∇²yy g(x, ŷ))^k ∇y f(x, ŷ), recomputed from scratch each
/// hyper-iteration, and h = ∇x f(x, ŷ) − ∇²xy g(x, ŷ) v (<see cref="StormBaselineSolver{TOptions, TState}"/>).
/// </summary>
/// <remarks>
/// The K − 1 Hessian products of one series share one lower batch; the cross product uses another (as
/// Algorithm 1's ξ3 and ξ5). The correction at the old point recomputes the series there on the same batches.
/// Cost per iteration: T ∇y g + 2 (1 ∇x f + 1 ∇y f + (K − 1) HVP + 1 cross).
/// </remarks>
public sealed class Ns : StormBaselineSolver<NsOptions, Ns.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "ns", "NS", "000", "Paper 000, Lemma 2 (NS case), Eq. 3, §6.2 baseline with the STORM update of Algorithm 1 line 9",
        LoopStructure.SingleLoop, Stochastic: true, "T ∇y g + 2 (1 ∇x f + 1 ∇y f + (K − 1) HVP + 1 cross)");

    private readonly NeumannSeries _series;

    public Ns(NsOptions options)
        : base(options)
    {
        options.Settings.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Terms, nameof(options.Terms));
        Positive(options.NeumannStep, nameof(options.NeumannStep));

        _series = new NeumannSeries(new NeumannSeriesOptions(options.Terms - 1, options.NeumannStep));
    }

    public override SolverInfo Info => Description;

    protected override State CreateBaselineState(SolverContext context) => new(context, Options);

    protected override void Estimate(State state, ReadOnlySpan<double> x, LowerTrajectory trajectory, Span<double> hypergradient,
        Batch upper, Batch hessian, Batch cross)
    {
        var y = trajectory.Last;
        state.Problem.UpperGradients(x, y, hypergradient, state.UpperGradientY, upper);
        _series.Solve(state.Hessian.Bind(x, y, hessian), state.UpperGradientY, state.V);
        state.Problem.LowerCrossProduct(x, y, state.V, state.Cross, cross);
        System.Numerics.Tensors.TensorPrimitives.Subtract(hypergradient, state.Cross, hypergradient);
    }

    private static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be positive and finite, got {value}");
        }
    }

    /// <summary>NS's state: the shared baseline state and the series' v.</summary>
    public sealed class State : StormBaselineState
    {
        internal State(SolverContext context, NsOptions options)
            : base(context, options.Settings, keepHistory: false)
        {
            var dy = context.Problem.LowerDimension;
            V = new double[dy];
            UpperGradientY = new double[dy];
            Cross = new double[context.Problem.UpperDimension];
            Hessian = new LowerHessianOperator(context.Problem);
        }

        /// <summary>The last Neumann solution v (of the last estimate computed).</summary>
        public double[] V { get; }

        internal double[] UpperGradientY { get; }

        internal double[] Cross { get; }

        internal LowerHessianOperator Hessian { get; }
    }
}
