using Bilevel.Hypergradients;

namespace Bilevel.Solvers.Paper002;

/// <summary>
/// Options of <see cref="ItdBiO"/>. Defaults follow <see cref="AidBiOOptions"/>: T = 10 inner steps (§5.2 grid
/// {5, 10, 15, 20, 50}); the meta-learning step sizes of §5.2 / App. B are for that problem's scaling and are tuned
/// by a grid there, so the defaults are α = 0.1, β = 0.1 (Theorem 2 asks α ≤ 1/L, β = 1/(4 L_Φ)).
/// </summary>
/// <param name="InnerStep">α, the inner gradient-descent step (Algorithm 1 line 5; Theorem 2: α ≤ 1/L); α_t at inner step t.</param>
/// <param name="OuterStep">β, the outer step (Algorithm 1 line 8; Theorem 2: β = 1/(4 L_Φ)); β_k at outer iteration k.</param>
/// <param name="InnerSteps">T, warm-started inner GD steps per outer iteration, all differentiated (§5.2 grid {5, 10, 15, 20, 50}).</param>
/// <param name="Optimizer">The outer update: SGD (Algorithm 1 as written) or Adam, which paper 002 §5.2 uses for every meta-learning method.</param>
public sealed record ItdBiOOptions(StepSize InnerStep, StepSize OuterStep, int InnerSteps = 10, OuterOptimizer Optimizer = OuterOptimizer.Sgd)
{
    public ItdBiOOptions()
        : this(StepSize.Constant(0.1), StepSize.Constant(0.1))
    {
    }
}

/// <summary>
/// ITD-BiO, paper 002 Algorithm 1 (ITD variant), Proposition 2: per outer iteration k, T warm-started GD steps
/// y_k^t = y_k^{t−1} − α ∇y g(x_k, y_k^{t−1}) from y_k^0 = y_{k−1}^T; the hypergradient ∂f(x_k, y_k^T(x_k))/∂x_k by
/// back-propagation through all T steps with ∂y_k^0/∂x_k = 0 (Proposition 2's closed form, computed by the reverse
/// recursion h ← h − α ∇²xy g(y^t) a, a ← a − α ∇²yy g(y^t) a, t = T−1 … 0); and x_{k+1} = x_k − β ∇̂Φ.
/// </summary>
/// <remarks>
/// Cost per iteration: T ∇y g + 1 ∇x f + 1 ∇y f + T cross + max(T − 1, 0) HVP. The paper counts T HVPs (§3 /
/// Theorem 2); the HVP at y^0 only feeds ∂y^0/∂x = 0 and is skipped, and the HVP and cross product at the same
/// iterate come from one fused oracle pass. The paper's meta-learning runs use Adam as the outer optimizer (§5.2);
/// Algorithm 1 uses the plain step x ← x − β ∇̂Φ (the default here); <see cref="ItdBiOOptions.Optimizer"/> selects Adam.
/// </remarks>
public sealed class ItdBiO : BilevelSolver<ItdBiOOptions, ItdBiO.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "itd-bio", "ITD-BiO", "002", "Paper 002, Algorithm 1 (ITD variant), Proposition 2; warm-started GD, full back-propagation",
        LoopStructure.DoubleLoop, Stochastic: false, "T ∇y g + 1 ∇x f + 1 ∇y f + T cross + max(T − 1, 0) HVP");

    private readonly IterativeDifferentiation _reverse = new();

    public ItdBiO(ItdBiOOptions options)
        : base(options)
    {
        options.InnerStep.Validate(nameof(options.InnerStep));
        options.OuterStep.Validate(nameof(options.OuterStep));
        ArgumentOutOfRangeException.ThrowIfNegative(options.InnerSteps, nameof(options.InnerSteps));
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context) => new(context, Options.InnerSteps, Options.Optimizer);

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        UnrolledLowerSteps.Run(problem, state.X, state.Y, Options.InnerSteps, Options.InnerStep, state.Full, state.LowerGradient, state.Trajectory);
        _reverse.Estimate(problem, state.X, state.Trajectory, state.Hypergradient);
        state.Outer.Apply(Options.OuterStep.At(state.Iteration), state.Hypergradient, state.X);
        state.UpperSteps++;
    }

    /// <summary>ITD-BiO's state: x, y (= y_k^T, the next warm start), the recorded inner trajectory and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, int innerSteps, OuterOptimizer optimizer)
            : base(context)
        {
            var problem = context.Problem;
            Outer = new OuterUpdate(optimizer, problem.UpperDimension);
            Full = LowerBatches(0);
            LowerGradient = new double[problem.LowerDimension];
            Hypergradient = new double[problem.UpperDimension];
            Trajectory = UnrolledLowerSteps.CreateTrajectory(problem.LowerDimension, innerSteps);
        }

        /// <summary>The last hypergradient estimate ∇̂Φ(x_k) = ∂f(x_k, y_k^T)/∂x_k.</summary>
        public double[] Hypergradient { get; }

        /// <summary>The inner iterates y_k^0 … y_k^T of the last outer iteration.</summary>
        public LowerTrajectory Trajectory { get; }

        internal BatchSource Full { get; }

        internal OuterUpdate Outer { get; }

        internal double[] LowerGradient { get; }
    }
}
