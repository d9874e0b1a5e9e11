using System.Numerics.Tensors;
using Bilevel.LinearSolvers;
using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper003;

/// <summary>How AmIGO solves its linear system ∇²yy g z = −∇y f in each outer iteration.</summary>
public enum AmigoLinearSolver
{
    /// <summary>AmIGO-GD: T_z warm-started stochastic gradient steps z ← z − γ (∇²yy g z + ∇y f), fresh batches per step.</summary>
    GradientDescent,

    /// <summary>AmIGO-CG: T_z warm-started conjugate-gradient steps on one mini-batch Hessian and one mini-batch ∇y f.</summary>
    ConjugateGradient,
}

/// <summary>
/// Options of <see cref="Amigo"/>. Defaults: paper 003 App. B.2, Task 1 (MNIST hyper-cleaning): α = β = 0.1,
/// γ = 0.5, T_y = 64 y steps, T_z = 6 linear-system steps, batch 1000 (Task 2: α = β = γ = 0.01, T_y = 8, T_z = 2, batch 128).
/// </summary>
/// <param name="UpperStep">α, the x step x_{k+1} = x_k − α h_k (Arbel &amp; Mairal 2022, Algorithm 1); Task 1: 0.1.</param>
/// <param name="LowerStep">β, the inner SGD step on y (Algorithm 2 of Arbel &amp; Mairal); Task 1: 0.1.</param>
/// <param name="LinearSystemStep">γ, the z step of AmIGO-GD ("Hessian update stepsize", Task 1: 0.5); unused by AmIGO-CG.</param>
/// <param name="LowerSteps">T_y, warm-started SGD steps on y per outer iteration (Task 1: 64; Task 2: 8).</param>
/// <param name="LinearSystemSteps">T_z, warm-started GD or CG steps on z per outer iteration ("Hessian inverse iterations", Task 1: 6; Task 2: 2).</param>
/// <param name="LinearSolver">GD (AmIGO-GD) or CG (AmIGO-CG) for the linear system (paper 003 calls AmIGO CG-based but lists a z step γ).</param>
/// <param name="BatchSize">Size of every mini-batch (Task 1: 1000; Task 2: 128); 0 or ≥ n: full batch.</param>
public sealed record AmigoOptions(
    StepSize UpperStep,
    StepSize LowerStep,
    StepSize LinearSystemStep,
    int LowerSteps = 64,
    int LinearSystemSteps = 6,
    AmigoLinearSolver LinearSolver = AmigoLinearSolver.GradientDescent,
    int BatchSize = 1000)
{
    public AmigoOptions()
        : this(StepSize.Constant(0.1), StepSize.Constant(0.1), StepSize.Constant(0.5))
    {
    }
}

/// <summary>
/// AmIGO (Arbel &amp; Mairal, ICLR 2022, "Amortized implicit differentiation for stochastic bilevel optimization"),
/// the baseline of paper 003 §6 (update rule: digest 003 §2.3 reference rule, from Arbel &amp; Mairal Algorithms 1–3).
/// Per outer iteration k: T_y warm-started SGD steps y ← y − β ∇y g(x_k, y; B) from y_{k−1}; T_z warm-started steps
/// on the linear system ∇²yy g(x_k, y) z = −∇y f(x_k, y) from z_{k−1} (GD with fresh batches, or CG on one batch);
/// h_k = ∇x f(x_k, y; B) + ∇²xy g(x_k, y; B') z; x_{k+1} = x_k − α h_k. z ≈ −[∇²yy g]⁻¹ ∇y f (paper 003 eq. 3 sign).
/// </summary>
/// <remarks>
/// <para>Cost per iteration: AmIGO-GD T_y ∇y g + T_z (HVP + ∇y f) + 1 ∇x f + 1 cross; AmIGO-CG T_y ∇y g + 1 ∇y f +
/// (T_z + 1) HVP + 1 ∇x f + 1 cross (the warm-started CG spends one HVP on its initial residual).</para>
/// <para>Ambiguity (paper 003 App. B.1 vs B.2): AmIGO is described as "uses conjugate gradient", yet given a
/// "Hessian update stepsize"; both variants are offered, GD is the default (the one that uses γ), and the catalog
/// registers <c>amigo-gd</c> and <c>amigo-cg</c>. Every schedule (α, β, γ) is indexed by the outer iteration k and
/// held fixed over that iteration's inner steps; each inner step draws fresh batches (one batch for the whole CG solve).</para>
/// </remarks>
public sealed class Amigo : BilevelSolver<AmigoOptions, Amigo.State>
{
    /// <summary>AmIGO-GD: name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo GradientDescentDescription = new(
        "amigo-gd", "AmIGO-GD", "003", "Paper 003, §6 / App. B.1 baseline; Arbel & Mairal 2022, Algorithms 1–3 (warm-started SGD on y and GD on z)",
        LoopStructure.DoubleLoop, Stochastic: true, "T_y ∇y g + T_z (HVP + ∇y f) + 1 ∇x f + 1 cross");

    /// <summary>AmIGO-CG: name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo ConjugateGradientDescription = new(
        "amigo-cg", "AmIGO-CG", "003", "Paper 003, §6 / App. B.1 baseline; Arbel & Mairal 2022, Algorithms 1–2 with a warm-started CG linear solver",
        LoopStructure.DoubleLoop, Stochastic: true, "T_y ∇y g + 1 ∇y f + (T_z + 1) HVP + 1 ∇x f + 1 cross");

    private readonly ConjugateGradient? _cg;

    public Amigo(AmigoOptions options)
        : base(options)
    {
        options.UpperStep.Validate(nameof(options.UpperStep));
        options.LowerStep.Validate(nameof(options.LowerStep));
        options.LinearSystemStep.Validate(nameof(options.LinearSystemStep));
        ArgumentOutOfRangeException.ThrowIfNegative(options.LowerSteps, nameof(options.LowerSteps));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.LinearSystemSteps, nameof(options.LinearSystemSteps));
        ArgumentOutOfRangeException.ThrowIfNegative(options.BatchSize, nameof(options.BatchSize));
        if (options.LinearSolver == AmigoLinearSolver.ConjugateGradient)
        {
            _cg = new ConjugateGradient(new ConjugateGradientOptions(options.LinearSystemSteps, WarmStart: true));
        }
    }

    public override SolverInfo Info => Options.LinearSolver == AmigoLinearSolver.ConjugateGradient ? ConjugateGradientDescription : GradientDescentDescription;

    protected override State CreateState(SolverContext context) => new(context, Options.BatchSize);

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        var k = state.Iteration;
        var beta = Options.LowerStep.At(k);
        for (var t = 0; t < Options.LowerSteps; t++)
        {
            problem.LowerGradientY(state.X, state.Y, state.LowerGradient, state.LowerGradientBatches.Next());
            Vectors.Axpy(-beta, state.LowerGradient, state.Y);
        }

        if (_cg is null)
        {
            var gamma = Options.LinearSystemStep.At(k);
            for (var t = 0; t < Options.LinearSystemSteps; t++)
            {
                // z ← z − γ (∇²yy g(x, y; B) z + ∇y f(x, y; B')), both at the current z.
                problem.LowerHvp(state.X, state.Y, state.Z, state.Hvp, state.HvpBatches.Next());
                problem.UpperGradientY(state.X, state.Y, state.UpperGradientY, state.UpperGradientYBatches.Next());
                Vectors.Axpy(1, state.UpperGradientY, state.Hvp);
                Vectors.Axpy(-gamma, state.Hvp, state.Z);
            }
        }
        else
        {
            // CG on ∇²yy g(x, y; B) z = −∇y f(x, y; B'), one batch for the whole solve, warm-started from z_{k−1}.
            problem.UpperGradientY(state.X, state.Y, state.UpperGradientY, state.UpperGradientYBatches.Next());
            TensorPrimitives.Negate(state.UpperGradientY, state.UpperGradientY);
            _cg.Solve(state.Hessian.Bind(state.X, state.Y, state.HvpBatches.Next()), state.UpperGradientY, state.Z);
        }

        problem.UpperGradientX(state.X, state.Y, state.Hypergradient, state.UpperGradientXBatches.Next());
        problem.LowerCrossProduct(state.X, state.Y, state.Z, state.Cross, state.CrossBatches.Next());
        Vectors.Axpy(1, state.Cross, state.Hypergradient);
        Vectors.Axpy(-Options.UpperStep.At(k), state.Hypergradient, state.X);
        state.UpperSteps++;
    }

    /// <summary>AmIGO's state: x, y, the warm-started z and one batch stream per oracle.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, int batchSize)
            : base(context)
        {
            var problem = context.Problem;
            LowerGradientBatches = LowerBatches(batchSize);
            HvpBatches = LowerBatches(batchSize);
            UpperGradientYBatches = UpperBatches(batchSize);
            UpperGradientXBatches = UpperBatches(batchSize);
            CrossBatches = LowerBatches(batchSize);
            Z = new double[problem.LowerDimension];
            LowerGradient = new double[problem.LowerDimension];
            UpperGradientY = new double[problem.LowerDimension];
            Hvp = new double[problem.LowerDimension];
            Hypergradient = new double[problem.UpperDimension];
            Cross = new double[problem.UpperDimension];
            Hessian = new LowerHessianOperator(problem);
        }

        /// <summary>z ≈ −[∇²yy g]⁻¹ ∇y f, warm-started across outer iterations (z_0 = 0).</summary>
        public double[] Z { get; }

        /// <summary>The last hypergradient estimate h_k.</summary>
        public double[] Hypergradient { get; }

        internal BatchSource LowerGradientBatches { get; }

        internal BatchSource HvpBatches { get; }

        internal BatchSource UpperGradientYBatches { get; }

        internal BatchSource UpperGradientXBatches { get; }

        internal BatchSource CrossBatches { get; }

        internal double[] LowerGradient { get; }

        internal double[] UpperGradientY { get; }

        internal double[] Hvp { get; }

        internal double[] Cross { get; }

        internal LowerHessianOperator Hessian { get; }
    }
}
