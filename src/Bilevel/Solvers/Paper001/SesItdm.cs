using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper001;

/// <summary>
/// Options of <see cref="SesItdm"/>. Defaults: paper 001 §4.4 (β = 0.1, α = 0.4 for all methods); γ and the batch
/// sizes are not stated: the defaults γ = α and 32 samples per batch are this implementation's choice.
/// </summary>
/// <param name="LowerStep">α, the lower step y^{l+1} = y^l − α ∇y g(x^l, y^l; I^l) (Algorithm 3 line 3); §4.4: 0.4 (constant, as Theorem 3; a schedule a/(t+b)^c is allowed).</param>
/// <param name="UpperStep">β, the upper step (Algorithm 3 line 5); §4.4: 0.1 (constant, as Theorem 3; a schedule is allowed).</param>
/// <param name="VirtualStep">γ of the Jacobian recursion (eq. 8 in recursive form; not stated, default α).</param>
/// <param name="BatchSize">Samples in each of I^l, B^l and S^l (not stated; 0 or ≥ n: full batches).</param>
public sealed record SesItdmOptions(StepSize LowerStep, StepSize UpperStep, StepSize VirtualStep, int BatchSize = 32)
{
    public SesItdmOptions()
        : this(StepSize.Constant(0.4), StepSize.Constant(0.1), StepSize.Constant(0.4))
    {
    }
}

/// <summary>
/// SES-ITDM, paper 001's stochastic ES-ITDM with exact stochastic second derivatives (Table 1 "SES-ITDM with (S)",
/// eq. 8; the experiments' "SES-ITDM" is Algorithm 3 with (11) replaced by (8)): per iteration l, draw S^l and
/// J^{l+1} = J^l (I − γ ∇²yy g(x^l, y^l; S^l)) − γ ∇²xy g(x^l, y^l; S^l); y^{l+1} = y^l − α ∇y g(x^l, y^l; I^l);
/// ∇̂f = ∇x f(x^l, y^{l+1}; B^l) + J^{l+1} ∇y f(x^l, y^{l+1}; B^l); x^{l+1} = x^l − β ∇̂f.
/// </summary>
/// <remarks>
/// Eq. (8) as printed applies the current batch S^l at every historical point; the convergence proof (Lemma 9)
/// analyses the recursive form with a fresh batch per iteration, which is what is implemented (digest §2.4, §6),
/// on a stored J (<see cref="LowerJacobian"/>, J ∈ R^{dx×dy}, hypergradient ∇x f + J ∇y f: digest §2.6).
/// Cost per iteration: 1 ∇y g + dy HVP + dy cross + 1 ∇x f + 1 ∇y f.
/// </remarks>
public sealed class SesItdm : BilevelSolver<SesItdmOptions, SesItdm.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "ses-itdm", "SES-ITDM", "001", "Paper 001, Algorithm 3 with (11) replaced by eq. (8), recursive form of Lemma 9",
        LoopStructure.FullySingleLoop, Stochastic: true, "1 ∇y g + dy HVP + dy cross + 1 ∇x f + 1 ∇y f");

    public SesItdm(SesItdmOptions options)
        : base(options)
    {
        options.LowerStep.Validate(nameof(options.LowerStep));
        options.UpperStep.Validate(nameof(options.UpperStep));
        options.VirtualStep.Validate(nameof(options.VirtualStep));
        ArgumentOutOfRangeException.ThrowIfNegative(options.BatchSize, nameof(options.BatchSize));
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context) => new(context, Options.BatchSize);

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        var lower = state.LowerStepBatches.Next();
        var upper = state.UpperGradientBatches.Next();
        var secondOrder = state.SecondOrderBatches.Next();
        state.Jacobian.ExactStep(problem, state.X, state.Y, Options.VirtualStep.At(state.Iteration), secondOrder);
        problem.LowerGradientY(state.X, state.Y, state.LowerGradient, lower);
        Vectors.Axpy(-Options.LowerStep.At(state.Iteration), state.LowerGradient, state.Y);
        problem.UpperGradients(state.X, state.Y, state.Hypergradient, state.UpperGradientY, upper);
        state.Jacobian.MultiplyAdd(state.UpperGradientY, state.Hypergradient);
        Vectors.Axpy(-Options.UpperStep.At(state.Iteration), state.Hypergradient, state.X);
        state.UpperSteps++;
    }

    /// <summary>SES-ITDM's state: x, y, J, the batch streams (I, B, S) and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, int batchSize)
            : base(context)
        {
            var problem = context.Problem;
            LowerStepBatches = LowerBatches(batchSize);
            UpperGradientBatches = UpperBatches(batchSize);
            SecondOrderBatches = LowerBatches(batchSize);
            Jacobian = new LowerJacobian(problem.UpperDimension, problem.LowerDimension);
            Hypergradient = new double[problem.UpperDimension];
            LowerGradient = new double[problem.LowerDimension];
            UpperGradientY = new double[problem.LowerDimension];
        }

        /// <summary>J^l ∈ R^{dx×dy}.</summary>
        public LowerJacobian Jacobian { get; }

        /// <summary>The last estimate ∇̂f(x^l).</summary>
        public double[] Hypergradient { get; }

        internal BatchSource LowerStepBatches { get; }

        internal BatchSource UpperGradientBatches { get; }

        internal BatchSource SecondOrderBatches { get; }

        internal double[] LowerGradient { get; }

        internal double[] UpperGradientY { get; }
    }
}
