using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper004;

/// <summary>
/// Options of <see cref="BoRep"/>. Defaults: paper 004 §4 / App. F.1 (hyper-representation on Amazon Reviews, an
/// RNN): lower step γ = 0.001, upper step η = 0.01, linear-system step ν = 0.01, β = 0.9, I = 2, N = 3, R = 0.5, and
/// an initialization refinement that is "plain SGD … with only one stage" (k† = 1). Those values are for RNNs; the
/// convergence check on the finite-sum quadratic tunes γ, η (decaying) and ν instead (see its note in the catalog).
/// The paper reports no batch size for F.1; F.2 uses 64 for all algorithms, which is the default of every batch here.
/// The constants of Epoch-SGD's schedule (V0, μ, L, σ, δ) are not reported in the experiments; their defaults are the
/// check problem's μ = 1 and L = 10 with V0 = 1, σ = 1, δ = 0.1 (a choice).
/// </summary>
/// <param name="UpperStep">η, the length of every normalized x step (Algorithm 1 line 6; F.1: 0.01). Theorem 3.1 takes it constant; a decaying schedule η_k is allowed.</param>
/// <param name="LowerStep">γ, the SGD step of UpdateLower (Algorithm 2 line 4; F.1: 0.001), taken at the outer iteration k.</param>
/// <param name="LinearSystemStep">ν, the SGD step on z (Algorithm 1 line 4; F.1: 0.01; Theorem 3.1: ν = (1 − β)/μ).</param>
/// <param name="Momentum">β of the moving average m (Algorithm 1 line 5; §4: 0.9 in all tasks).</param>
/// <param name="Period">I, y is updated when k &gt; 0 and k mod I = 0 (Algorithm 2 line 1; §4: 2).</param>
/// <param name="LowerSteps">N, projected SGD steps per lower update (Algorithm 2 line 3; §4: 3).</param>
/// <param name="Radius">R, the radius of the ball B(y_k, R) each lower update projects onto (Algorithm 2 line 4; §4 and Table 3: 0.5).</param>
/// <param name="UpperBatchSize">Samples of ζ_k, one batch for both ∇x F and ∇y F (Algorithm 1 lines 4–5; F.2: 64; 0 = full).</param>
/// <param name="SecondOrderBatchSize">Samples of ξ_k, one batch for the HVP and the cross product (Algorithm 1 lines 4–5; F.2: 64; 0 = full).</param>
/// <param name="LowerBatchSize">Samples of each ξ̃ᵗ_k of UpdateLower and ξ̃^{s,t} of Epoch-SGD (Algorithms 2, 3; F.2: 64; 0 = full).</param>
/// <param name="RefinementEpochs">k†, the epochs of Epoch-SGD (Algorithm 3; F.1: one stage; Lemma 3.2: ⌈log2(128 K0² V0/(μ ε²))⌉; 0 = no refinement).</param>
/// <param name="RefinementInitialGap">V0 ≥ g(x₀, y′₀) − g(x₀, y*(x₀)) (eq. 27), which sizes the balls B_s (eq. 28) and T_s, α_s (eqs. 29–30). Not reported; default 1.</param>
/// <param name="RefinementStrongConvexity">μ in eqs. (28)–(30) (Assumption 2(iii)). Not reported; default 1 (the check problem's).</param>
/// <param name="RefinementSmoothness">L in eqs. (29)–(30) (Assumption 2(iv)). Not reported; default 10 (the check problem's mean lower Hessian).</param>
/// <param name="RefinementGradientNoise">σ_{g,1} in eqs. (29)–(30) (Assumption 3; 0 = exact gradients: T_s = ⌈16L/μ⌉, α_s = 1/(2L)). Not reported; default 1.</param>
/// <param name="RefinementConfidence">δ in λ = max(√(3 ln(2k†/δ)), ln(2k†/δ)) (eq. 38). Not reported; default 0.1.</param>
public sealed record BoRepOptions(
    StepSize UpperStep,
    StepSize LowerStep,
    StepSize LinearSystemStep,
    double Momentum = 0.9,
    int Period = 2,
    int LowerSteps = 3,
    double Radius = 0.5,
    int UpperBatchSize = 64,
    int SecondOrderBatchSize = 64,
    int LowerBatchSize = 64,
    int RefinementEpochs = 1,
    double RefinementInitialGap = 1,
    double RefinementStrongConvexity = 1,
    double RefinementSmoothness = 10,
    double RefinementGradientNoise = 1,
    double RefinementConfidence = 0.1)
{
    public BoRepOptions()
        : this(StepSize.Constant(0.01), StepSize.Constant(0.001), StepSize.Constant(0.01))
    {
    }

    /// <summary>The Epoch-SGD schedule these options describe (Algorithm 3, eqs. 28–30).</summary>
    public EpochSgdSchedule RefinementSchedule() => new(RefinementEpochs, RefinementInitialGap, RefinementStrongConvexity, RefinementSmoothness,
        RefinementGradientNoise, RefinementConfidence);
}

/// <summary>
/// BO-REP, paper 004 (Hao, Gong, Liu, ICLR 2024, "Bilevel Optimization under Unbounded Smoothness") Algorithm 1 with
/// UpdateLower (Algorithm 2) and Epoch-SGD (Algorithm 3). Start: y₀ = Epoch-SGD(x₀, y′₀) (line 1), z₀ = 0, m₀ = 0.
/// Iteration k, every oracle at the old (x_k, y_k, z_k):
/// z_{k+1} = z_k − ν(∇²yy G(x_k, y_k; ξ_k) z_k − ∇y F(x_k, y_k; ζ_k)) (line 4);
/// m_{k+1} = β m_k + (1 − β)(∇x F(x_k, y_k; ζ_k) − ∇²xy G(x_k, y_k; ξ_k) z_k) (line 5, estimator eq. 58);
/// y_{k+1} = UpdateLower(x_k, y_k) (line 3): when k &gt; 0 and k mod I = 0, N projected SGD steps
/// yᵗ⁺¹ = Π_{B(y_k, R)}(yᵗ − γ ∇y G(x_k, yᵗ; ξ̃ᵗ_k)) from y⁰ = y_k and y_{k+1} = ȳᴺ = (1/N) Σ_{t=1}^{N} yᵗ, else y_{k+1} = y_k;
/// x_{k+1} = x_k − η m_{k+1}/‖m_{k+1}‖ (line 6).
/// </summary>
/// <remarks>
/// <para>
/// Cost per iteration k: 1 ∇x f + 1 ∇y f (one batch ζ_k) + 1 HVP + 1 cross product (one batch ξ_k, one pass), plus
/// N ∇y g when k &gt; 0 and k mod I = 0 (N/I per iteration on average). Start: Σ_{s&lt;k†} T_s ∇y g (eq. 29).
/// </para>
/// <para>
/// Choices where the paper is silent or differs from its code (digest §3.5): z₀ = 0 (the code draws it Xavier-uniform);
/// the code has no projection, no averaging and no Epoch-SGD, the paper's algorithm boxes do, and this follows the
/// paper. When m_{k+1} = 0 the direction is undefined and x stays (the code divides by 1e-10 + ‖m‖). The loop
/// structure is listed as double-loop because y gets an inner loop of N steps every I iterations.
/// </para>
/// <para>
/// Ambiguities (§3.1, Algorithm 1): one batch ζ_k serves both ∇x F and ∇y F and one batch ξ_k both second-order
/// products, independent of each other (the proof of Lemma D.6 needs ξ_k ⫫ ζ_k); the ξ̃ of Algorithms 2 and 3 are
/// fresh batches of <see cref="BoRepOptions.LowerBatchSize"/>. Theorem 3.1 fixes η, γ, ν; schedules η_k, γ_k, ν_k are
/// read at the outer index k (γ_k is held over the N inner steps). The experiments' refinement is "plain SGD …
/// with only one stage" (F.1) with no reported T or α; here one epoch of Algorithm 3 with T_0, α_0 from eqs. (29)–(30).
/// </para>
/// </remarks>
public sealed class BoRep : BilevelSolver<BoRepOptions, BoRep.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "bo-rep", "BO-REP", "004",
        "Paper 004, Algorithm 1 (lines 1–6, estimator eq. 58) with UpdateLower (Algorithm 2) and Epoch-SGD (Algorithm 3, eqs. 28–30)",
        LoopStructure.DoubleLoop, Stochastic: true,
        "1 ∇x f + 1 ∇y f + 1 HVP + 1 cross, plus N ∇y g when k > 0 and k mod I = 0; start: Σ_{s<k†} T_s ∇y g");

    public BoRep(BoRepOptions options)
        : base(options)
    {
        options.UpperStep.Validate(nameof(options.UpperStep));
        options.LowerStep.Validate(nameof(options.LowerStep));
        options.LinearSystemStep.Validate(nameof(options.LinearSystemStep));
        OptionChecks.Require(options.Momentum >= 0 && options.Momentum < 1, nameof(options.Momentum), $"{nameof(options.Momentum)} must lie in [0, 1), got {options.Momentum}");

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Period, nameof(options.Period));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.LowerSteps, nameof(options.LowerSteps));
        OptionChecks.Require(options.Radius > 0 && !double.IsInfinity(options.Radius), nameof(options.Radius), $"{nameof(options.Radius)} must be positive and finite, got {options.Radius}");

        ArgumentOutOfRangeException.ThrowIfNegative(options.UpperBatchSize, nameof(options.UpperBatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(options.SecondOrderBatchSize, nameof(options.SecondOrderBatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(options.LowerBatchSize, nameof(options.LowerBatchSize));
        options.RefinementSchedule().Validate("Refinement");
    }

    public override SolverInfo Info => Description;

    /// <summary>True when iteration k updates y (Algorithm 2 line 1: k &gt; 0 and k mod I = 0).</summary>
    public bool UpdatesLowerAt(long k) => k > 0 && k % Options.Period == 0;

    protected override State CreateState(SolverContext context)
    {
        var state = new State(context, Options);
        EpochSgd.Run(state.Problem, state.X, state.Y, state.Refinement, state.RefinementBatches, state.Center, state.Average, state.LowerGradient);
        return state;
    }

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        var k = state.Iteration;
        var x = state.X;
        var y = state.Y;

        // Lines 4–5 at the old (x_k, y_k, z_k): ζ_k for ∇x F and ∇y F, ξ_k for the HVP and the cross product.
        problem.UpperGradients(x, y, state.UpperGradientX, state.UpperGradientY, state.UpperGradientBatches.Next());
        problem.LowerHvpAndCrossProduct(x, y, state.Z, state.Hvp, state.Cross, state.SecondOrderBatches.Next());

        // Line 3: y_{k+1} = UpdateLower(x_k, y_k); it reads only x_k and y_k, so it may run after the oracles above.
        if (UpdatesLowerAt(k))
        {
            UpdateLower(state, Options.LowerStep.At(k));
        }

        // Line 4: z_{k+1} = z_k − ν (HVP − ∇y F).
        var nu = Options.LinearSystemStep.At(k);
        var z = state.Z;
        for (var i = 0; i < z.Length; i++)
        {
            z[i] -= nu * (state.Hvp[i] - state.UpperGradientY[i]);
        }

        // Line 5: m_{k+1} = β m_k + (1 − β)(∇x F − ∇²xy G z_k).
        var beta = Options.Momentum;
        var m = state.Momentum;
        for (var i = 0; i < m.Length; i++)
        {
            m[i] = (beta * m[i]) + ((1 - beta) * (state.UpperGradientX[i] - state.Cross[i]));
        }

        // Line 6: x_{k+1} = x_k − η m_{k+1} / ‖m_{k+1}‖.
        var norm = Vectors.Norm(m);
        if (norm > 0)
        {
            Vectors.Axpy(-Options.UpperStep.At(k) / norm, m, x);
        }

        state.UpperSteps++;
    }

    /// <summary>Algorithm 2 lines 2–6 at x_k, in place on y: N projected SGD steps in B(y_k, R), then the average ȳᴺ.</summary>
    private void UpdateLower(State state, double gamma)
    {
        var problem = state.Problem;
        var y = state.Y;
        y.CopyTo(state.Center);
        state.Average.AsSpan().Clear();
        for (var t = 0; t < Options.LowerSteps; t++)
        {
            problem.LowerGradientY(state.X, y, state.LowerGradient, state.LowerStepBatches.Next());
            Vectors.Axpy(-gamma, state.LowerGradient, y);
            var projected = BallProjection.Project(y, state.Center, Options.Radius, out var displacement);
            state.LargestDisplacement = Math.Max(state.LargestDisplacement, displacement);
            state.LowerUpdateSteps++;
            if (projected)
            {
                state.ProjectedSteps++;
            }

            // Line 5: ȳᵗ⁺¹ = t/(t+1) ȳᵗ + 1/(t+1) yᵗ⁺¹.
            var a = t / (t + 1.0);
            var b = 1 / (t + 1.0);
            for (var i = 0; i < y.Length; i++)
            {
                state.Average[i] = (a * state.Average[i]) + (b * y[i]);
            }
        }

        state.Average.CopyTo(y);
    }

    /// <summary>BO-REP's state: x, y, z (linear system), m (momentum), the batch streams and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, BoRepOptions options)
            : base(context)
        {
            var problem = context.Problem;
            RefinementBatches = LowerBatches(options.LowerBatchSize);
            LowerStepBatches = LowerBatches(options.LowerBatchSize);
            SecondOrderBatches = LowerBatches(options.SecondOrderBatchSize);
            UpperGradientBatches = UpperBatches(options.UpperBatchSize);
            Refinement = options.RefinementSchedule();
            Z = new double[problem.LowerDimension];
            Momentum = new double[problem.UpperDimension];
            UpperGradientX = new double[problem.UpperDimension];
            UpperGradientY = new double[problem.LowerDimension];
            Hvp = new double[problem.LowerDimension];
            Cross = new double[problem.UpperDimension];
            LowerGradient = new double[problem.LowerDimension];
            Center = new double[problem.LowerDimension];
            Average = new double[problem.LowerDimension];
        }

        /// <summary>z_k ≈ [∇²yy g]⁻¹ ∇y f, one SGD step per iteration (Algorithm 1 line 4); z₀ = 0.</summary>
        public double[] Z { get; }

        /// <summary>m_k, the moving average of the hypergradient estimates (Algorithm 1 line 5); m₀ = 0.</summary>
        public double[] Momentum { get; }

        internal EpochSgdSchedule Refinement { get; }

        internal BatchSource RefinementBatches { get; }

        internal BatchSource LowerStepBatches { get; }

        internal BatchSource SecondOrderBatches { get; }

        internal BatchSource UpperGradientBatches { get; }

        internal double[] UpperGradientX { get; }

        internal double[] UpperGradientY { get; }

        internal double[] Hvp { get; }

        internal double[] Cross { get; }

        internal double[] LowerGradient { get; }

        internal double[] Center { get; }

        internal double[] Average { get; }

        /// <summary>Projected SGD steps of UpdateLower so far (Algorithm 2 line 4; the refinement's are not counted).</summary>
        public long LowerUpdateSteps { get; internal set; }

        /// <summary>Of <see cref="LowerUpdateSteps"/>, those whose SGD step left the ball B(y_k, R), so the projection moved y.</summary>
        public long ProjectedSteps { get; internal set; }

        /// <summary>The largest ‖y − y_k‖ after an SGD step of UpdateLower, before the projection: the radius below which the ball would have bound at least once.</summary>
        public double LargestDisplacement { get; internal set; }

        /// <summary>"lower update steps", "projected steps" and "largest displacement" (see the properties of the same meaning).</summary>
        public override IReadOnlyDictionary<string, double> Diagnostics => new Dictionary<string, double>
        {
            [LowerUpdateStepsName] = LowerUpdateSteps,
            [ProjectedStepsName] = ProjectedSteps,
            [LargestDisplacementName] = LargestDisplacement,
        };
    }

    /// <summary>The diagnostics key of <see cref="State.LowerUpdateSteps"/>.</summary>
    public const string LowerUpdateStepsName = "lower update steps";

    /// <summary>The diagnostics key of <see cref="State.ProjectedSteps"/>.</summary>
    public const string ProjectedStepsName = "projected steps";

    /// <summary>The diagnostics key of <see cref="State.LargestDisplacement"/>.</summary>
    public const string LargestDisplacementName = "largest displacement";
}
