using System.Numerics.Tensors;
using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper000;

/// <summary>
/// Options of <see cref="Fsla"/>. Defaults: paper 000 App. E, the hyper-cleaning grid's chosen values for FSLA
/// (δ = 1000, c_τ = 0.001, c_β = 1e-4, c_η = 9e-4, batch size 256). Those are tuned for a 1/N-scaled CNN loss;
/// the convergence check on the quadratic uses its own values.
/// </summary>
/// <param name="OuterStep">α_k = δ/√(k+1) (Algorithm 1 line 3 prints δ/√k, undefined at k = 0; Theorem 17 uses δ/√(k+1)); App. E: δ = 1000.</param>
/// <param name="InnerStepScale">c_τ, the lower step τ_{k+1} = c_τ α_k (Algorithm 1 line 4); App. E: 0.001.</param>
/// <param name="LinearSystemStepScale">c_β, the step of the v recursion β_{k+1} = c_β α_k (Algorithm 1 line 4, eq. 9); App. E: 1e-4.</param>
/// <param name="MomentumScale">c_η, the STORM weight η_{k+1} = min(1, c_η α_k) (Algorithm 1 lines 4 and 9); App. E: 9e-4.</param>
/// <param name="BatchSize">Samples in each of the five mini-batches ξ_{k+1,1…5} (Algorithm 1 line 5); §6.2: 256 (0 or ≥ n: full batches).</param>
public sealed record FslaOptions(
    StepSize OuterStep,
    double InnerStepScale = 0.001,
    double LinearSystemStepScale = 1e-4,
    double MomentumScale = 9e-4,
    int BatchSize = 256)
{
    public FslaOptions()
        : this(StepSize.Decaying(1000, 0.5))
    {
    }
}

/// <summary>
/// FSLA, paper 000 (Li, Gu, Huang 2022, "A Fully Single Loop Algorithm for Bilevel Optimization without Hessian
/// Inverse") Algorithm 1 with the forward recursion of eq. (9)/(10): per iteration k, x_{k+1} = x_k − α_k d_k;
/// y_{k+1} = y_k − τ ∇y g(x_{k+1}, y_k; ξ1); v_{k+1} = v_k + β (∇y f(x_{k+1}, y_k; ξ2) − ∇²yy g(x_{k+1}, y_k; ξ3) v_k);
/// h_{k+1} = ∇x f(x_{k+1}, y_{k+1}; ξ4) − ∇²xy g(x_{k+1}, y_{k+1}; ξ5) v_{k+1}; and the STORM direction
/// d_{k+1} = h_{k+1} + (1 − η)(d_k − h_k(ξ_{k+1})).
/// </summary>
/// <remarks>
/// <para>
/// Choices where the paper is ambiguous (digest §3.2, §7): line 8's "∂_ω G v" is read as the cross product
/// ∇²xy g v (as eq. 9/10); line 7 reads the pre-update y_k (as printed and as the proof of Lemma 15; eq. 10 uses
/// the new y); the correction h_k(ξ_{k+1}) = ∇x f(x_k, y_k; ξ4) − ∇²xy g(x_k, y_k; ξ5) v_k uses the stored old
/// (x, y, v) on the new samples, as the proof of Lemma 14 (v is not recomputed); α_k = δ/√(k+1) (Theorem 17);
/// v_0 = 0 (the analysis needs ‖v_0‖ ≤ C_{F,ω}/μ_G); d_0 = h_0 = ∇x f(x_0, y_0; ξ4) (h_0 with v_0 = 0, computed in
/// the start state); the output is the last iterate.
/// </para>
/// <para>Cost per iteration: 1 ∇y g + 1 ∇y f + 1 HVP + 2 ∇x f + 2 cross products, whatever the accuracy (fully single loop).</para>
/// </remarks>
public sealed class Fsla : BilevelSolver<FslaOptions, Fsla.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "fsla", "FSLA", "000", "Paper 000, Algorithm 1 with eq. (9)/(10); STORM direction of line 9, correction as in the proof of Lemma 14",
        LoopStructure.FullySingleLoop, Stochastic: true, "1 ∇y g + 1 ∇y f + 1 HVP + 2 ∇x f + 2 cross");

    public Fsla(FslaOptions options)
        : base(options)
    {
        StormMomentum.Validate(options.OuterStep, nameof(options.OuterStep), options.MomentumScale, nameof(options.MomentumScale));
        Positive(options.InnerStepScale, nameof(options.InnerStepScale));
        Positive(options.LinearSystemStepScale, nameof(options.LinearSystemStepScale));
        ArgumentOutOfRangeException.ThrowIfNegative(options.BatchSize, nameof(options.BatchSize));
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context) => new(context, Options);

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        var k = state.Iteration;
        var alpha = state.Storm.StepAt(k);
        var tau = Options.InnerStepScale * alpha;
        var beta = Options.LinearSystemStepScale * alpha;
        var eta = state.Storm.MomentumAt(k);

        // Keep (x_k, y_k, v_k) for the correction term.
        state.X.CopyTo(state.OldX, 0);
        state.Y.CopyTo(state.OldY, 0);
        state.V.CopyTo(state.OldV, 0);

        // Line 3: x_{k+1} = x_k − α_k d_k.
        state.Storm.Step(k, state.X);
        state.UpperSteps++;

        var xi1 = state.Xi1.Next();
        var xi2 = state.Xi2.Next();
        var xi3 = state.Xi3.Next();
        var xi4 = state.Xi4.Next();
        var xi5 = state.Xi5.Next();

        // Line 6: y_{k+1} = y_k − τ ∇y g(x_{k+1}, y_k; ξ1).
        problem.LowerGradientY(state.X, state.OldY, state.LowerGradient, xi1);
        Vectors.Axpy(-tau, state.LowerGradient, state.Y);

        // Line 7: v_{k+1} = β ∇y f(x_{k+1}, y_k; ξ2) + (I − β ∇²yy g(x_{k+1}, y_k; ξ3)) v_k.
        problem.UpperGradientY(state.X, state.OldY, state.UpperGradientY, xi2);
        problem.LowerHvp(state.X, state.OldY, state.OldV, state.Hvp, xi3);
        TensorPrimitives.Subtract(state.UpperGradientY, state.Hvp, state.UpperGradientY);
        Vectors.Axpy(beta, state.UpperGradientY, state.V);

        // Line 8 (with ∇²xy g): h_{k+1} at the new point; the correction h_k(ξ_{k+1}) at the old point, old v.
        ReadOut(state, state.X, state.Y, state.V, state.Hypergradient, xi4, xi5);
        ReadOut(state, state.OldX, state.OldY, state.OldV, state.OldPointHypergradient, xi4, xi5);

        // Line 9: d_{k+1} = h_{k+1} + (1 − η)(d_k − h_k(ξ_{k+1})).
        state.Storm.Update(state.Hypergradient, state.OldPointHypergradient, eta);
    }

    private static void ReadOut(State state, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v, Span<double> result,
        Problems.Batch upper, Problems.Batch lower) =>
        LowerSteps.ImplicitHypergradient(state.Problem, x, y, v, result, state.Cross, upper, lower);

    private static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be positive and finite, got {value}");
        }
    }

    /// <summary>FSLA's state: x, y, the tracked v, the STORM direction d, the previous (x, y, v) and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, FslaOptions options)
            : base(context)
        {
            var problem = context.Problem;
            var dx = problem.UpperDimension;
            var dy = problem.LowerDimension;
            Xi1 = LowerBatches(options.BatchSize);
            Xi2 = UpperBatches(options.BatchSize);
            Xi3 = LowerBatches(options.BatchSize);
            Xi4 = UpperBatches(options.BatchSize);
            Xi5 = LowerBatches(options.BatchSize);
            V = new double[dy];
            OldX = new double[dx];
            OldY = new double[dy];
            OldV = new double[dy];
            Hypergradient = new double[dx];
            OldPointHypergradient = new double[dx];
            LowerGradient = new double[dy];
            UpperGradientY = new double[dy];
            Hvp = new double[dy];
            Cross = new double[dx];
            Storm = new StormMomentum(dx, options.OuterStep, options.MomentumScale);

            // d_0 = h_0 = ∇x f(x_0, y_0; ξ_{0,4}) − ∇²xy g v_0 with v_0 = 0 (no cross product needed).
            problem.UpperGradientX(X, Y, Hypergradient, Xi4.Next());
            Storm.Initialize(Hypergradient);
        }

        /// <summary>v_k, FSLA's running estimate of [∇²yy g]⁻¹ ∇y f (eq. 9), v_0 = 0.</summary>
        public double[] V { get; }

        /// <summary>h_k, the last hypergradient estimate at the current point.</summary>
        public double[] Hypergradient { get; }

        /// <summary>h_{k−1}(ξ_k), the last correction term (the estimator at the previous point on the new samples).</summary>
        public double[] OldPointHypergradient { get; }

        /// <summary>The STORM direction d_k and its schedules.</summary>
        public StormMomentum Storm { get; }

        internal BatchSource Xi1 { get; }

        internal BatchSource Xi2 { get; }

        internal BatchSource Xi3 { get; }

        internal BatchSource Xi4 { get; }

        internal BatchSource Xi5 { get; }

        internal double[] OldX { get; }

        internal double[] OldY { get; }

        internal double[] OldV { get; }

        internal double[] LowerGradient { get; }

        internal double[] UpperGradientY { get; }

        internal double[] Hvp { get; }

        internal double[] Cross { get; }
    }
}
