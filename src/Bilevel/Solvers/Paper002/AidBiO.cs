using Bilevel.LinearSolvers;

namespace Bilevel.Solvers.Paper002;

/// <summary>How AID-BiO chooses the number of inner steps T_k at outer iteration k (paper 002 §5.2).</summary>
public enum InnerStepRule
{
    /// <summary>T_k = T for every k ("AID-BiO-constant").</summary>
    Constant,

    /// <summary>T_k = ⌈c (k + 1)^{1/4}⌉ with c = <see cref="AidBiOOptions.InnerStepsScale"/> ("AID-BiO-increasing").</summary>
    Increasing,
}

/// <summary>
/// Options of <see cref="AidBiO"/>. Defaults: paper 002 App. A.2 (20 Newsgroups, the hypertorch settings it uses for
/// every deterministic baseline): T = 10 inner steps, N = 10 CG steps; the step sizes there (100) are for that
/// problem's scaling, so the defaults here are α = 0.1, β = 0.1 (its Theorem 1 asks α ≤ 1/L, β = 1/(8 L_Φ)).
/// </summary>
/// <param name="InnerStep">α, the inner gradient-descent step (Algorithm 1 line 5; Theorem 1: α ≤ 1/L).</param>
/// <param name="OuterStep">β, the outer step (Algorithm 1 line 8; Theorem 1: β = 1/(8 L_Φ)).</param>
/// <param name="InnerSteps">T, inner GD steps per outer iteration (App. A.2: 10; §5.2 grid {5, 10, 15, 20, 50}).</param>
/// <param name="CgIterations">N, conjugate-gradient steps on ∇²yy g v = ∇y f (App. A.2: 10; §5.2 grid {5, 10, 15}).</param>
/// <param name="Rule">Constant T or the increasing schedule T_k = ⌈c (k + 1)^{1/4}⌉ (§5.2).</param>
/// <param name="InnerStepsScale">c of the increasing schedule (§5.2 grid {0.5, 2, 5, 10, 50}).</param>
/// <param name="Optimizer">The outer update: SGD (Algorithm 1 as written) or Adam, which paper 002 §5.2 uses for every meta-learning method.</param>
public sealed record AidBiOOptions(
    StepSize InnerStep,
    StepSize OuterStep,
    int InnerSteps = 10,
    int CgIterations = 10,
    InnerStepRule Rule = InnerStepRule.Constant,
    double InnerStepsScale = 2,
    OuterOptimizer Optimizer = OuterOptimizer.Sgd)
{
    public AidBiOOptions()
        : this(StepSize.Constant(0.1), StepSize.Constant(0.1))
    {
    }
}

/// <summary>
/// AID-BiO, paper 002 (Ji, Yang, Liang 2021, "Bilevel Optimization: Convergence Analysis and Enhanced Design")
/// Algorithm 1, AID variant: per outer iteration k, T_k warm-started GD steps y ← y − α ∇y g(x_k, y); N warm-started
/// CG steps on ∇²yy g(x_k, y_k^T) v = ∇y f(x_k, y_k^T) from v_{k−1}; the hypergradient of eq. (3),
/// ∇̂Φ = ∇x f − ∇²xy g v; and x_{k+1} = x_k − β ∇̂Φ.
/// </summary>
/// <remarks>
/// Cost per iteration: T_k ∇y g + 1 ∇y f + 1 ∇x f + (N + 1) HVP + 1 cross product. The paper counts N HVPs; the
/// warm-started CG needs one more for its initial residual b − A v₀ (the paper leaves the warm-started CG implicit).
/// </remarks>
public sealed class AidBiO : BilevelSolver<AidBiOOptions, AidBiO.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "aid-bio", "AID-BiO", "002", "Paper 002, Algorithm 1 (AID variant), eq. (3); warm-started GD and CG",
        LoopStructure.DoubleLoop, Stochastic: false, "T ∇y g + 1 ∇y f + 1 ∇x f + (N + 1) HVP + 1 cross");

    private readonly ConjugateGradient _cg;

    public AidBiO(AidBiOOptions options)
        : base(options)
    {
        options.InnerStep.Validate(nameof(options.InnerStep));
        options.OuterStep.Validate(nameof(options.OuterStep));
        ArgumentOutOfRangeException.ThrowIfNegative(options.InnerSteps, nameof(options.InnerSteps));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.CgIterations, nameof(options.CgIterations));
        _cg = new ConjugateGradient(new ConjugateGradientOptions(options.CgIterations, WarmStart: true));
    }

    public override SolverInfo Info => Description;

    /// <summary>T_k, the inner steps of outer iteration k.</summary>
    public int InnerStepsAt(long k) => Options.Rule == InnerStepRule.Constant
        ? Options.InnerSteps
        : (int)Math.Ceiling(Options.InnerStepsScale * Math.Pow(k + 1, 0.25));

    protected override State CreateState(SolverContext context) => new(context, Options.Optimizer);

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        var k = state.Iteration;
        LowerSteps.Descend(problem, state.X, state.Y, InnerStepsAt(k), Options.InnerStep, state.Full, state.LowerGradient);
        problem.UpperGradientY(state.X, state.Y, state.UpperGradientY);
        _cg.Solve(state.Hessian.Bind(state.X, state.Y), state.UpperGradientY, state.V);
        LowerSteps.ImplicitHypergradient(problem, state.X, state.Y, state.V, state.Hypergradient, state.Cross);
        state.Outer.Apply(Options.OuterStep.At(k), state.Hypergradient, state.X);
        state.UpperSteps++;
    }

    /// <summary>AID-BiO's state: x, y, the warm-started CG iterate v and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, OuterOptimizer optimizer)
            : base(context)
        {
            var problem = context.Problem;
            Outer = new OuterUpdate(optimizer, problem.UpperDimension);
            Full = LowerBatches(0);
            V = new double[problem.LowerDimension];
            LowerGradient = new double[problem.LowerDimension];
            UpperGradientY = new double[problem.LowerDimension];
            Hypergradient = new double[problem.UpperDimension];
            Cross = new double[problem.UpperDimension];
            Hessian = new LowerHessianOperator(problem);
        }

        /// <summary>v ≈ [∇²yy g]⁻¹ ∇y f, warm-started across outer iterations (Algorithm 1 line 6: v_k^0 = v_{k−1}^N).</summary>
        public double[] V { get; }

        /// <summary>The last hypergradient estimate ∇̂Φ(x_k).</summary>
        public double[] Hypergradient { get; }

        internal BatchSource Full { get; }

        internal double[] LowerGradient { get; }

        internal double[] UpperGradientY { get; }

        internal double[] Cross { get; }

        internal LowerHessianOperator Hessian { get; }

        internal OuterUpdate Outer { get; }
    }
}
