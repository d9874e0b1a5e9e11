using System.Numerics.Tensors;
using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper001;

/// <summary>
/// Options of <see cref="HfSesItdm"/>. Defaults: paper 001 §4.4 (β = 0.1, α = 0.4, Q = 1 direction). μ, ν, γ and
/// the batch sizes are not stated ("very important for the model performance", no values): the defaults
/// μ = ν = 0.01, γ = α and 32 samples per batch are this implementation's choice.
/// </summary>
/// <param name="LowerStep">α, the lower step y^{l+1} = y^l − α ∇y g(x^l, y^l; I^l) (Algorithm 3 line 3); §4.4: 0.4 (constant, as Theorem 3; a schedule a/(t+b)^c is allowed).</param>
/// <param name="UpperStep">β, the upper step (Algorithm 3 line 5); §4.4: 0.1 (constant, as Theorem 3; a schedule is allowed).</param>
/// <param name="VirtualStep">γ of the Jacobian recursion eq. (11) (not stated; default α).</param>
/// <param name="Directions">Q, Gaussian directions per iteration for eqs. (9) and (10); §4.4 / Fig. 1: 1.</param>
/// <param name="UpperSmoothing">μ, the x-perturbation of the finite difference in eq. (9) (not stated).</param>
/// <param name="LowerSmoothing">ν, the y-perturbation of the finite difference in eq. (10) (not stated).</param>
/// <param name="BatchSize">Samples in each of I^l, B^l and S^l (not stated; 0 or ≥ n: full batches).</param>
public sealed record HfSesItdmOptions(
    StepSize LowerStep,
    StepSize UpperStep,
    StepSize VirtualStep,
    int Directions = 1,
    double UpperSmoothing = 0.01,
    double LowerSmoothing = 0.01,
    int BatchSize = 32)
{
    public HfSesItdmOptions()
        : this(StepSize.Constant(0.4), StepSize.Constant(0.1), StepSize.Constant(0.4))
    {
    }
}

/// <summary>
/// HF-SES-ITDM, paper 001 Algorithm 3 with the Hessian-free estimators eqs. (9)–(11): per iteration l, draw S^l,
/// u_j ~ N(0, I_dx), v_j ~ N(0, I_dy) (j = 1…Q) and, with g_0 = ∇y g(x^l, y^l; S^l),
/// a_j = (∇y g(x^l + μ u_j, y^l; S^l) − g_0)/μ, b_j = (∇y g(x^l, y^l + ν v_j; S^l) − g_0)/ν;
/// J^{l+1} = J^l − (γ/Q) Σ_j [(J^l v_j) b_jᵀ + u_j a_jᵀ] (= J^l (I − γ Ĥyy) − γ Ĥxy);
/// y^{l+1} = y^l − α ∇y g(x^l, y^l; I^l); ∇̂f = ∇x f(x^l, y^{l+1}; B^l) + J^{l+1} ∇y f(x^l, y^{l+1}; B^l);
/// x^{l+1} = x^l − β ∇̂f. Only gradient oracles: no HVP, no cross product.
/// </summary>
/// <remarks>
/// <para>
/// Following digest §2.6 (dimensional consistency): J ∈ R^{dx×dy} and the hypergradient is ∇x f + J ∇y f;
/// Ĥxy = (1/Q) Σ u_j a_jᵀ (dx×dy) is eq. (9) transposed to match J's orientation; Ĥyy = (1/Q) Σ v_j b_jᵀ is the
/// transpose of eq. (10) (equal in expectation, since ∇²yy g is symmetric; this one follows from differentiating
/// y ← y − γ ∇y g). Eq. (11)'s product index is read as s (a typo for the iterate); the recursive form with fresh
/// u, v, S per iteration (the form Lemma 9 analyses) is implemented. The base and perturbed gradients share S^l
/// (common random numbers, as eqs. 9–10). Directions come from the state's seeded stream (u_1, v_1, u_2, …).
/// </para>
/// <para>Cost per iteration: (2Q + 2) ∇y g + 1 ∇x f + 1 ∇y f; 0 HVP, 0 cross.</para>
/// </remarks>
public sealed class HfSesItdm : BilevelSolver<HfSesItdmOptions, HfSesItdm.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "hf-ses-itdm", "HF-SES-ITDM", "001", "Paper 001, Algorithm 3 with eqs. (9)–(11), recursive form of Lemma 9",
        LoopStructure.FullySingleLoop, Stochastic: true, "(2Q + 2) ∇y g + 1 ∇x f + 1 ∇y f; 0 HVP, 0 cross");

    public HfSesItdm(HfSesItdmOptions options)
        : base(options)
    {
        options.LowerStep.Validate(nameof(options.LowerStep));
        options.UpperStep.Validate(nameof(options.UpperStep));
        options.VirtualStep.Validate(nameof(options.VirtualStep));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Directions, nameof(options.Directions));
        Steps.Positive(options.UpperSmoothing, nameof(options.UpperSmoothing));
        Steps.Positive(options.LowerSmoothing, nameof(options.LowerSmoothing));
        ArgumentOutOfRangeException.ThrowIfNegative(options.BatchSize, nameof(options.BatchSize));
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context) => new(context, Options.BatchSize);

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        var mu = Options.UpperSmoothing;
        var nu = Options.LowerSmoothing;
        var lower = state.LowerStepBatches.Next();
        var upper = state.UpperGradientBatches.Next();
        var s = state.SecondOrderBatches.Next();

        // Eqs. (9)–(11) at (x^l, y^l) on S^l.
        problem.LowerGradientY(state.X, state.Y, state.BaseGradient, s);
        state.Jacobian.BeginSmoothedStep();
        for (var j = 0; j < Options.Directions; j++)
        {
            GaussianDirections.Fill(state.Random, state.U);
            GaussianDirections.Fill(state.Random, state.V);

            TensorPrimitives.MultiplyAdd(state.U, mu, state.X, state.PerturbedX);
            problem.LowerGradientY(state.PerturbedX, state.Y, state.A, s);
            TensorPrimitives.Subtract(state.A, state.BaseGradient, state.A);
            TensorPrimitives.Multiply(state.A, 1 / mu, state.A);

            TensorPrimitives.MultiplyAdd(state.V, nu, state.Y, state.PerturbedY);
            problem.LowerGradientY(state.X, state.PerturbedY, state.B, s);
            TensorPrimitives.Subtract(state.B, state.BaseGradient, state.B);
            TensorPrimitives.Multiply(state.B, 1 / nu, state.B);

            state.Jacobian.AddSmoothedDirection(state.U, state.A, state.V, state.B, Options.VirtualStep.At(state.Iteration) / Options.Directions);
        }

        state.Jacobian.EndSmoothedStep();

        // Line 3: y^{l+1} = y^l − α ∇y g(x^l, y^l; I^l).
        problem.LowerGradientY(state.X, state.Y, state.LowerGradient, lower);
        Vectors.Axpy(-Options.LowerStep.At(state.Iteration), state.LowerGradient, state.Y);

        // Lines 4–5.
        problem.UpperGradients(state.X, state.Y, state.Hypergradient, state.UpperGradientY, upper);
        state.Jacobian.MultiplyAdd(state.UpperGradientY, state.Hypergradient);
        Vectors.Axpy(-Options.UpperStep.At(state.Iteration), state.Hypergradient, state.X);
        state.UpperSteps++;
    }

    /// <summary>HF-SES-ITDM's state: x, y, J, the batch streams (I, B, S), direction buffers and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, int batchSize)
            : base(context)
        {
            var problem = context.Problem;
            var dx = problem.UpperDimension;
            var dy = problem.LowerDimension;
            LowerStepBatches = LowerBatches(batchSize);
            UpperGradientBatches = UpperBatches(batchSize);
            SecondOrderBatches = LowerBatches(batchSize);
            Jacobian = new LowerJacobian(dx, dy);
            Hypergradient = new double[dx];
            LowerGradient = new double[dy];
            UpperGradientY = new double[dy];
            BaseGradient = new double[dy];
            U = new double[dx];
            V = new double[dy];
            A = new double[dy];
            B = new double[dy];
            PerturbedX = new double[dx];
            PerturbedY = new double[dy];
        }

        /// <summary>Ĵ^l ∈ R^{dx×dy}.</summary>
        public LowerJacobian Jacobian { get; }

        /// <summary>The last estimate ∇̂f(x^l).</summary>
        public double[] Hypergradient { get; }

        internal BatchSource LowerStepBatches { get; }

        internal BatchSource UpperGradientBatches { get; }

        internal BatchSource SecondOrderBatches { get; }

        internal double[] LowerGradient { get; }

        internal double[] UpperGradientY { get; }

        internal double[] BaseGradient { get; }

        internal double[] U { get; }

        internal double[] V { get; }

        internal double[] A { get; }

        internal double[] B { get; }

        internal double[] PerturbedX { get; }

        internal double[] PerturbedY { get; }
    }
}
