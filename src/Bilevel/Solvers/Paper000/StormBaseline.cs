using Bilevel.Hypergradients;
using Bilevel.Numerics;
using Bilevel.Problems;

namespace Bilevel.Solvers.Paper000;

/// <summary>
/// The outer loop paper 000 §6.2 runs its baselines (BP, NS, CG) in "for fair comparison": T lower SGD steps per
/// hyper-iteration (warm-started from the last lower iterate, or restarted from y₀), the method's hypergradient
/// estimate h, and FSLA's STORM direction (Algorithm 1 lines 3, 4 and 9, <see cref="StormMomentum"/>).
/// </summary>
/// <param name="OuterStep">α_k = δ/√(k+1).</param>
/// <param name="InnerStepScale">c_τ, the lower step τ = c_τ α_k.</param>
/// <param name="MomentumScale">c_η, η = min(1, c_η α_k).</param>
/// <param name="InnerSteps">T, lower SGD steps per hyper-iteration.</param>
/// <param name="WarmStart">Continue the lower iterate across hyper-iterations (true) or restart it from y₀ (false).</param>
/// <param name="BatchSize">Samples per mini-batch.</param>
public readonly record struct StormBaselineSettings(StepSize OuterStep, double InnerStepScale, double MomentumScale, int InnerSteps, bool WarmStart, int BatchSize)
{
    /// <summary>Throws one line naming the option at fault.</summary>
    public void Validate()
    {
        StormMomentum.Validate(OuterStep, nameof(OuterStep), MomentumScale, nameof(MomentumScale));
        if (!(InnerStepScale > 0) || double.IsInfinity(InnerStepScale))
        {
            throw new ArgumentOutOfRangeException(nameof(InnerStepScale), $"{nameof(InnerStepScale)} must be positive and finite, got {InnerStepScale}");
        }

        if (InnerSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(InnerSteps), $"{nameof(InnerSteps)} must be at least 1, got {InnerSteps}");
        }

        if (BatchSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), $"{nameof(BatchSize)} must be ≥ 0 (0: full batches), got {BatchSize}");
        }
    }
}

/// <summary>
/// The state shared by the STORM baselines: x, y, the lower trajectory of this and of the previous hyper-iteration,
/// the previous x, the direction d and the mini-batch streams (in this order: lower steps, upper gradients,
/// Hessian products, cross products).
/// </summary>
public abstract class StormBaselineState : SolverState
{
    protected StormBaselineState(SolverContext context, StormBaselineSettings settings, bool keepHistory)
        : base(context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = context.Problem;
        var dx = problem.UpperDimension;
        var dy = problem.LowerDimension;
        Settings = settings;
        InnerBatches = LowerBatches(settings.BatchSize);
        UpperGradientBatches = UpperBatches(settings.BatchSize);
        HessianBatches = LowerBatches(settings.BatchSize);
        CrossBatches = LowerBatches(settings.BatchSize);
        LowerStart = context.LowerStart.ToArray();
        Trajectory = Grown(dy, keepHistory, settings.InnerSteps, LowerStart);
        OldTrajectory = Grown(dy, keepHistory, settings.InnerSteps, LowerStart);
        OldX = new double[dx];
        Hypergradient = new double[dx];
        OldPointHypergradient = new double[dx];
        LowerGradient = new double[dy];
        Storm = new StormMomentum(dx, settings.OuterStep, settings.MomentumScale);
    }

    /// <summary>The outer-loop settings.</summary>
    public StormBaselineSettings Settings { get; }

    /// <summary>h_k, the method's last estimate at the current point.</summary>
    public double[] Hypergradient { get; }

    /// <summary>h_{k−1}(ξ_k), the last correction term.</summary>
    public double[] OldPointHypergradient { get; }

    /// <summary>The STORM direction d_k.</summary>
    public StormMomentum Storm { get; }

    /// <summary>This hyper-iteration's lower iterates ŷ_0 … ŷ_T (only ŷ_T unless the method needs the history).</summary>
    public LowerTrajectory Trajectory { get; internal set; }

    /// <summary>The previous hyper-iteration's lower iterates, for the correction term.</summary>
    public LowerTrajectory OldTrajectory { get; internal set; }

    internal double[] LowerStart { get; }

    internal double[] OldX { get; }

    internal double[] LowerGradient { get; }

    internal BatchSource InnerBatches { get; }

    internal BatchSource UpperGradientBatches { get; }

    internal BatchSource HessianBatches { get; }

    internal BatchSource CrossBatches { get; }

    /// <summary>A trajectory with room for T steps, so that recording never allocates in a step.</summary>
    private static LowerTrajectory Grown(int dy, bool keepHistory, int steps, ReadOnlySpan<double> start)
    {
        var trajectory = new LowerTrajectory(dy, keepHistory);
        trajectory.Reset(start);
        for (var t = 0; t < steps; t++)
        {
            trajectory.Append(start, 0);
        }

        trajectory.Reset(start);
        return trajectory;
    }
}

/// <summary>
/// A paper 000 baseline under the STORM outer update. Per hyper-iteration k: x_{k+1} = x_k − α_k d_k; T SGD steps
/// ŷ_{t+1} = ŷ_t − τ ∇y g(x_{k+1}, ŷ_t; ξ_t) with τ = c_τ α_k from ŷ_0 = y_k (warm start) or y₀; one upper batch,
/// one Hessian batch and one cross batch; h_{k+1} = the method's estimate at (x_{k+1}, ŷ trajectory) and the
/// correction h_k(ξ_{k+1}) = the same estimator at (x_k, previous trajectory) on the same new batches;
/// d_{k+1} = h_{k+1} + (1 − η)(d_k − h_k(ξ_{k+1})).
/// </summary>
/// <remarks>
/// Paper 000 (§6.2) does not say how a baseline's correction at the old point is computed (digest §3.4). This
/// implementation keeps the old lower iterates as FSLA keeps its old (y, v), and recomputes what the method
/// computes from scratch each iteration (the Neumann or CG solve, the reverse sweep) at the old point on the new
/// samples, so h_k(ξ_{k+1}) is the same function of the new samples as h_{k+1}: the estimator part of the cost is
/// paid twice. The start state runs the T lower steps at x₀ and sets d_0 = h_0 (paper: unspecified).
/// </remarks>
public abstract class StormBaselineSolver<TOptions, TState> : BilevelSolver<TOptions, TState>
    where TOptions : class
    where TState : StormBaselineState
{
    protected StormBaselineSolver(TOptions options)
        : base(options)
    {
    }

    /// <summary>Creates the method's state (its buffers); the base then runs the start-up lower steps and d_0 = h_0.</summary>
    protected abstract TState CreateBaselineState(SolverContext context);

    /// <summary>The method's hypergradient estimate at x from the lower trajectory, on the given batches.</summary>
    protected abstract void Estimate(TState state, ReadOnlySpan<double> x, LowerTrajectory trajectory, Span<double> hypergradient,
        Batch upper, Batch hessian, Batch cross);

    protected sealed override TState CreateState(SolverContext context)
    {
        var state = CreateBaselineState(context);
        var alpha = state.Storm.StepAt(0);
        RunLower(state, state.Settings.InnerStepScale * alpha);
        Estimate(state, state.X, state.Trajectory, state.Hypergradient,
            state.UpperGradientBatches.Next(), state.HessianBatches.Next(), state.CrossBatches.Next());
        state.Storm.Initialize(state.Hypergradient);
        return state;
    }

    protected sealed override void Advance(TState state)
    {
        var k = state.Iteration;
        var tau = state.Settings.InnerStepScale * state.Storm.StepAt(k);
        var eta = state.Storm.MomentumAt(k);
        state.X.CopyTo(state.OldX, 0);
        (state.Trajectory, state.OldTrajectory) = (state.OldTrajectory, state.Trajectory);

        state.Storm.Step(k, state.X);
        state.UpperSteps++;
        RunLower(state, tau);

        var upper = state.UpperGradientBatches.Next();
        var hessian = state.HessianBatches.Next();
        var cross = state.CrossBatches.Next();
        Estimate(state, state.X, state.Trajectory, state.Hypergradient, upper, hessian, cross);
        Estimate(state, state.OldX, state.OldTrajectory, state.OldPointHypergradient, upper, hessian, cross);
        state.Storm.Update(state.Hypergradient, state.OldPointHypergradient, eta);
    }

    /// <summary>T SGD steps at the current x from y (warm) or y₀ (cold), recorded in <see cref="StormBaselineState.Trajectory"/>.</summary>
    private static void RunLower(TState state, double tau)
    {
        var problem = state.Problem;
        if (!state.Settings.WarmStart)
        {
            state.LowerStart.CopyTo(state.Y, 0);
        }

        state.Trajectory.Reset(state.Y);
        for (var t = 0; t < state.Settings.InnerSteps; t++)
        {
            problem.LowerGradientY(state.X, state.Y, state.LowerGradient, state.InnerBatches.Next());
            Vectors.Axpy(-tau, state.LowerGradient, state.Y);
            state.Trajectory.Append(state.Y, tau);
        }
    }
}
