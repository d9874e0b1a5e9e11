using Bilevel.Hypergradients;
using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper002;

/// <summary>
/// Options of <see cref="Reverse"/>. Defaults: paper 002 App. A.2 (20 Newsgroups, hypertorch settings): T = 10 inner
/// steps and 10 reverse steps; the step sizes there (100) are for that problem's scaling, so α = β = 0.1 here.
/// </summary>
/// <param name="InnerStep">α, the inner gradient-descent step (App. A.2: the inner step size; must be below 2/L).</param>
/// <param name="OuterStep">β, the outer SGD step on x (App. A.2: SGD outer optimizer).</param>
/// <param name="InnerSteps">T, inner GD steps per outer iteration (App. A.2: 10).</param>
/// <param name="TruncationSteps">J, the last inner steps back-propagated through (hypertorch <c>reverse</c> K; App. A.2: 10); J ≥ T is full ITD.</param>
/// <param name="WarmStart">Start the inner loop from the previous y_T (true, as paper 002's experiment code does) or from y₀ (false).</param>
public sealed record ReverseOptions(StepSize InnerStep, StepSize OuterStep, int InnerSteps = 10, int TruncationSteps = 10, bool WarmStart = true)
{
    public ReverseOptions()
        : this(StepSize.Constant(0.1), StepSize.Constant(0.1))
    {
    }
}

/// <summary>
/// reverse, the truncated reverse-mode iterative-differentiation baseline of paper 002 App. A.2 (Franceschi et al.
/// 2017; hypertorch <c>reverse</c>; truncation as Shaban et al. 2019): T GD steps y^{t+1} = y^t − α ∇y g(x_k, y^t),
/// then the derivative of f(x_k, y^T) through the last J steps only,
/// ∇̂Φ = ∇x f(y^T) − Σ_{t=T−J}^{T−1} α ∇²xy g(y^t) Π_{s=t+1}^{T−1}(I − α ∇²yy g(y^s)) ∇y f(y^T) (paper 002 Prop. 2
/// restricted to the last J terms); x_{k+1} = x_k − β ∇̂Φ.
/// </summary>
/// <remarks>
/// Cost per iteration: T ∇y g + 1 ∇x f + 1 ∇y f + min(T, J) cross + max(min(T, J) − 1, 0) HVP (fused HVP + cross at
/// each differentiated iterate). Paper 002 gives no update rule for this baseline; this is the rule of the
/// hypertorch implementation it cites. With J = T and warm start it coincides with <see cref="ItdBiO"/>.
/// </remarks>
public sealed class Reverse : BilevelSolver<ReverseOptions, Reverse.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "reverse", "reverse", "002", "Paper 002, App. A.2 baseline (Franceschi et al. 2017; truncated back-propagation, Prop. 2 over the last J steps)",
        LoopStructure.DoubleLoop, Stochastic: false, "T ∇y g + 1 ∇x f + 1 ∇y f + min(T, J) cross + max(min(T, J) − 1, 0) HVP");

    private readonly IterativeDifferentiation _reverse;

    public Reverse(ReverseOptions options)
        : base(options)
    {
        options.InnerStep.Validate(nameof(options.InnerStep));
        options.OuterStep.Validate(nameof(options.OuterStep));
        ArgumentOutOfRangeException.ThrowIfNegative(options.InnerSteps, nameof(options.InnerSteps));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.TruncationSteps, nameof(options.TruncationSteps));
        _reverse = new IterativeDifferentiation(options.TruncationSteps);
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context) => new(context, Options.InnerSteps);

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        if (!Options.WarmStart)
        {
            state.LowerStart.CopyTo(state.Y, 0);
        }

        UnrolledLowerSteps.Run(problem, state.X, state.Y, Options.InnerSteps, Options.InnerStep, state.Full, state.LowerGradient, state.Trajectory);
        _reverse.Estimate(problem, state.X, state.Trajectory, state.Hypergradient);
        Vectors.Axpy(-Options.OuterStep.At(state.Iteration), state.Hypergradient, state.X);
        state.UpperSteps++;
    }

    /// <summary>reverse's state: x, y = y^T, y₀ (for cold starts), the recorded trajectory and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, int innerSteps)
            : base(context)
        {
            var problem = context.Problem;
            Full = LowerBatches(0);
            LowerStart = context.LowerStart.ToArray();
            LowerGradient = new double[problem.LowerDimension];
            Hypergradient = new double[problem.UpperDimension];
            Trajectory = UnrolledLowerSteps.CreateTrajectory(problem.LowerDimension, innerSteps);
        }

        /// <summary>The last hypergradient estimate.</summary>
        public double[] Hypergradient { get; }

        /// <summary>The inner iterates of the last outer iteration.</summary>
        public LowerTrajectory Trajectory { get; }

        internal double[] LowerStart { get; }

        internal BatchSource Full { get; }

        internal double[] LowerGradient { get; }
    }
}
