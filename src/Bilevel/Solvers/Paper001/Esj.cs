using System.Numerics.Tensors;
using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper001;

/// <summary>
/// Options of <see cref="Esj"/>. Defaults: paper 001 §4.4 (β = 0.1 and inner rate α = 0.4 for all methods; Q = 50,
/// the smallest ESJ legend of Fig. 1); paper 001 states neither T nor μ, so the defaults T = 50 and μ = 0.1 are the
/// ESJ authors' Omniglot settings (digest §2.7, [external]).
/// </summary>
/// <param name="UpperStep">β_k, the upper step x ← x − β_k ∇̂f (§4.4: 0.1; ESJ's theory uses diminishing steps).</param>
/// <param name="LowerStep">α, the inner gradient step of the T-step lower solve (§4.4: 0.4).</param>
/// <param name="InnerSteps">T, lower steps per solve (ESJ code: 50).</param>
/// <param name="Directions">Q, Gaussian directions per hypergradient (Fig. 1 legends: 50, 100, 500).</param>
/// <param name="Smoothing">μ, the perturbation x + μu of the finite difference (ESJ code: 0.1).</param>
/// <param name="NormalizeDirections">Scale each u to unit length, as the ESJ code does per tensor; then E[u uᵀ] = I/dx and the Jacobian term shrinks by 1/dx (the ESJ paper's Gaussian u is unbiased).</param>
/// <param name="WarmStart">Start each lower solve from the last lower output (ESJ code: the averaged head) instead of y₀.</param>
/// <param name="BatchSize">Samples per lower step and for the upper gradients (not stated; 0 or ≥ n: full batches).</param>
public sealed record EsjOptions(
    StepSize UpperStep,
    double LowerStep = 0.4,
    int InnerSteps = 50,
    int Directions = 50,
    double Smoothing = 0.1,
    bool NormalizeDirections = false,
    bool WarmStart = true,
    int BatchSize = 32)
{
    public EsjOptions()
        : this(StepSize.Constant(0.1))
    {
    }
}

/// <summary>
/// ESJ (Sow, Ji, Liang 2022, "A novel Hessian-free bilevel optimizer via evolution strategies"), the
/// evolution-strategy Jacobian baseline of paper 001 §4.5 as the digest describes it (§2.7): per iteration, T lower
/// steps from y_0 give y_T(x); for j = 1…Q, u_j ~ N(0, I) and the same T steps (same batches) at x + μ u_j give
/// y_T(x + μ u_j); ∇̂f = ∇x f(x, y_T) + (1/Q) Σ_j ⟨(y_T(x + μ u_j) − y_T(x))/μ, ∇y f(x, y_T)⟩ u_j, i.e. the
/// Jacobian of y_T estimated by Gaussian smoothing; x ← x − β_k ∇̂f; y ← y_T(x) for the next warm start.
/// </summary>
/// <remarks>
/// Paper 001 gives no update rule for ESJ; this follows the digest's marked reference rule (the ESJ code,
/// <c>hypergrad/hypergradients.py</c>), except that u is Gaussian as in the ESJ paper unless
/// <see cref="EsjOptions.NormalizeDirections"/> is set (the code normalizes). Cost per iteration:
/// (Q + 1) T ∇y g + 1 ∇x f + 1 ∇y f.
/// </remarks>
public sealed class Esj : BilevelSolver<EsjOptions, Esj.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "esj", "ESJ", "001", "Paper 001 §2.7/§4.5 baseline (Sow et al. 2022, evolution-strategy Jacobian; digest's reference rule)",
        LoopStructure.DoubleLoop, Stochastic: true, "(Q + 1) T ∇y g + 1 ∇x f + 1 ∇y f");

    public Esj(EsjOptions options)
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
        state.Descent.Draw(state.LowerStepBatches);
        var upper = state.UpperGradientBatches.Next();
        ReadOnlySpan<double> start = Options.WarmStart ? state.Y : state.LowerStart;

        state.Descent.Run(problem, state.X, start, state.Lower, Options.LowerStep);
        problem.UpperGradients(state.X, state.Lower, state.Hypergradient, state.UpperGradientY, upper);
        for (var j = 0; j < Options.Directions; j++)
        {
            GaussianDirections.Fill(state.Random, state.U);
            if (Options.NormalizeDirections)
            {
                TensorPrimitives.Multiply(state.U, 1 / Vectors.Norm(state.U), state.U);
            }

            TensorPrimitives.MultiplyAdd(state.U, mu, state.X, state.PerturbedX);
            state.Descent.Run(problem, state.PerturbedX, start, state.PerturbedLower, Options.LowerStep);
            TensorPrimitives.Subtract(state.PerturbedLower, state.Lower, state.PerturbedLower);
            var coefficient = TensorPrimitives.Dot<double>(state.PerturbedLower, state.UpperGradientY) / (mu * Options.Directions);
            Vectors.Axpy(coefficient, state.U, state.Hypergradient);
        }

        state.Lower.CopyTo(state.Y, 0);
        Vectors.Axpy(-Options.UpperStep.At(state.Iteration), state.Hypergradient, state.X);
        state.UpperSteps++;
    }

    /// <summary>ESJ's state: x, y (the last lower output), the replayed lower solver and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, EsjOptions options)
            : base(context)
        {
            var problem = context.Problem;
            var dx = problem.UpperDimension;
            var dy = problem.LowerDimension;
            LowerStepBatches = LowerBatches(options.BatchSize);
            UpperGradientBatches = UpperBatches(options.BatchSize);
            Descent = new ReplayedDescent(options.InnerSteps, LowerStepBatches.BatchSize, LowerStepBatches.IsFull, dy);
            LowerStart = context.LowerStart.ToArray();
            Hypergradient = new double[dx];
            UpperGradientY = new double[dy];
            Lower = new double[dy];
            PerturbedLower = new double[dy];
            U = new double[dx];
            PerturbedX = new double[dx];
        }

        /// <summary>The last hypergradient estimate.</summary>
        public double[] Hypergradient { get; }

        internal BatchSource LowerStepBatches { get; }

        internal BatchSource UpperGradientBatches { get; }

        internal ReplayedDescent Descent { get; }

        internal double[] LowerStart { get; }

        internal double[] UpperGradientY { get; }

        internal double[] Lower { get; }

        internal double[] PerturbedLower { get; }

        internal double[] U { get; }

        internal double[] PerturbedX { get; }
    }
}
