using System.Numerics.Tensors;
using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper001;

/// <summary>
/// Options of <see cref="Hozog"/>. Defaults: paper 001 §4.4 (β = 0.1, inner rate α = 0.4 for all methods; Q = 50,
/// "at least 50 noise vectors to get converged training"); T and μ are not stated: T = 50 and μ = 0.1 as for ESJ
/// (this implementation's choice).
/// </summary>
/// <param name="UpperStep">β_k, the upper step x ← x − β_k ∇̂f (§4.4: 0.1).</param>
/// <param name="LowerStep">α, the inner gradient step of the T-step lower solve (§4.4: 0.4).</param>
/// <param name="InnerSteps">T, lower steps per solve (not stated; 50 as ESJ).</param>
/// <param name="Directions">Q, random directions per hypergradient (Fig. 1 legends: 50, 100, 500).</param>
/// <param name="Smoothing">μ, the perturbation x + μu of the finite difference (not stated; 0.1 as ESJ).</param>
/// <param name="WarmStart">Start each lower solve from the last lower output instead of y₀.</param>
/// <param name="BatchSize">Samples per lower step and for the upper values (not stated; 0 or ≥ n: full batches).</param>
public sealed record HozogOptions(
    StepSize UpperStep,
    double LowerStep = 0.4,
    int InnerSteps = 50,
    int Directions = 50,
    double Smoothing = 0.1,
    bool WarmStart = true,
    int BatchSize = 32)
{
    public HozogOptions()
        : this(StepSize.Constant(0.1))
    {
    }
}

/// <summary>
/// HOZOG (Gu et al. 2021, "Optimizing large-scale hyperparameters via automated learning algorithm"), the pure
/// zeroth-order baseline of paper 001 §4.5 as the digest describes it (§2.7, "applies the evolution strategy over
/// the hyper-gradient directly"): per iteration, T lower steps from y_0 give y_T(x); for j = 1…Q, u_j uniform on
/// the unit sphere and the same T steps (same batches) at x + μ u_j;
/// ∇̂f = (dx / (Q μ)) Σ_j [f(x + μ u_j, y_T(x + μ u_j)) − f(x, y_T(x))] u_j; x ← x − β_k ∇̂f; y ← y_T(x).
/// </summary>
/// <remarks>
/// Paper 001 gives no update rule; this is the digest's reference rule (the dimension factor "p" of the code is dx,
/// which makes the sphere estimator unbiased for the gradient of the smoothed objective). Uses function values of f
/// and lower gradients only. Cost per iteration: (Q + 1) T ∇y g + (Q + 1) f.
/// </remarks>
public sealed class Hozog : BilevelSolver<HozogOptions, Hozog.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "hozog", "HOZOG", "001", "Paper 001 §2.7/§4.5 baseline (Gu et al. 2021, zeroth-order hypergradient; digest's reference rule)",
        LoopStructure.DoubleLoop, Stochastic: true, "(Q + 1) T ∇y g + (Q + 1) f");

    public Hozog(HozogOptions options)
        : base(options)
    {
        options.UpperStep.Validate(nameof(options.UpperStep));
        Steps.Positive(options.LowerStep, nameof(options.LowerStep));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.InnerSteps, nameof(options.InnerSteps));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Directions, nameof(options.Directions));
        Steps.Positive(options.Smoothing, nameof(options.Smoothing));
        ArgumentOutOfRangeException.ThrowIfNegative(options.BatchSize, nameof(options.BatchSize));
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context) => new(context, Options);

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        var mu = Options.Smoothing;
        var dx = problem.UpperDimension;
        state.Descent.Draw(state.LowerStepBatches);
        var upper = state.UpperValueBatches.Next();
        ReadOnlySpan<double> start = Options.WarmStart ? state.Y : state.LowerStart;

        state.Descent.Run(problem, state.X, start, state.Lower, Options.LowerStep);
        var baseValue = problem.UpperValue(state.X, state.Lower, upper);
        Array.Clear(state.Hypergradient);
        for (var j = 0; j < Options.Directions; j++)
        {
            GaussianDirections.Fill(state.Random, state.U);
            TensorPrimitives.Multiply(state.U, 1 / Vectors.Norm(state.U), state.U);
            TensorPrimitives.MultiplyAdd(state.U, mu, state.X, state.PerturbedX);
            state.Descent.Run(problem, state.PerturbedX, start, state.PerturbedLower, Options.LowerStep);
            var value = problem.UpperValue(state.PerturbedX, state.PerturbedLower, upper);
            Vectors.Axpy(dx * (value - baseValue) / (mu * Options.Directions), state.U, state.Hypergradient);
        }

        state.Lower.CopyTo(state.Y, 0);
        Vectors.Axpy(-Options.UpperStep.At(state.Iteration), state.Hypergradient, state.X);
        state.UpperSteps++;
    }

    /// <summary>HOZOG's state: x, y (the last lower output), the replayed lower solver and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, HozogOptions options)
            : base(context)
        {
            var problem = context.Problem;
            var dx = problem.UpperDimension;
            var dy = problem.LowerDimension;
            LowerStepBatches = LowerBatches(options.BatchSize);
            UpperValueBatches = UpperBatches(options.BatchSize);
            Descent = new ReplayedDescent(options.InnerSteps, LowerStepBatches.BatchSize, LowerStepBatches.IsFull, dy);
            LowerStart = context.LowerStart.ToArray();
            Hypergradient = new double[dx];
            Lower = new double[dy];
            PerturbedLower = new double[dy];
            U = new double[dx];
            PerturbedX = new double[dx];
        }

        /// <summary>The last hypergradient estimate.</summary>
        public double[] Hypergradient { get; }

        internal BatchSource LowerStepBatches { get; }

        internal BatchSource UpperValueBatches { get; }

        internal ReplayedDescent Descent { get; }

        internal double[] LowerStart { get; }

        internal double[] Lower { get; }

        internal double[] PerturbedLower { get; }

        internal double[] U { get; }

        internal double[] PerturbedX { get; }
    }
}
