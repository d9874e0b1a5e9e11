using Bilevel.Hypergradients;
using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper002;

/// <summary>
/// Options of <see cref="Anil"/>. Defaults: paper 002 §5.2, Figure 1(a) (ANIL): inner step 0.1, outer (meta) step
/// 0.002, task sampling size 32, 5 inner steps.
/// </summary>
/// <param name="InnerStep">α, the inner (adaptation) step on the head y (Fig. 1(a): 0.1; Fig. 1(b): 0.1).</param>
/// <param name="OuterStep">β, the meta step on the body x and the head initialization y₀ (Fig. 1(a): 0.002 with Adam; <see cref="Optimizer"/> selects it, SGD by default).</param>
/// <param name="InnerSteps">T, adaptation steps from y₀ (Fig. 1(a): 5; Fig. 1(b): 10).</param>
/// <param name="TaskBatchSize">Samples ("tasks") per iteration for g and for f (Fig. 1: task sampling size 32; 0 = full batch).</param>
/// <param name="Optimizer">The outer update: SGD (Algorithm 1 as written) or Adam, which paper 002 §5.2 uses for every meta-learning method.</param>
public sealed record AnilOptions(StepSize InnerStep, StepSize OuterStep, int InnerSteps = 5, int TaskBatchSize = 32, OuterOptimizer Optimizer = OuterOptimizer.Sgd)
{
    public AnilOptions()
        : this(StepSize.Constant(0.1), StepSize.Constant(0.002))
    {
    }
}

/// <summary>
/// ANIL (Raghu et al. 2019, "almost no inner loop"), the meta-learning baseline of paper 002 §5.2 (digest §2.5
/// reference rule), on a generic bilevel problem: the body x and the head initialization y₀ are meta-learned; per
/// iteration a batch of lower samples (support losses) and one of upper samples (query losses) is drawn; the head is
/// adapted by T full-batch GD steps on that batch, y^{t+1} = y^t − α ∇y g(x, y^t; 𝓑_g) from y^0 = y₀; the meta
/// gradient of f(x, y^T(x, y₀); 𝓑_f) with respect to x and y₀ is back-propagated through the T steps (second order,
/// exact: ∇x = ∇x f − α Σ_t ∇²xy g(y^t) a_{t+1}, ∇y₀ = a_0, a_T = ∇y f, a_t = (I − α∇²yy g(y^t)) a_{t+1}); and
/// x ← x − β ∇x, y₀ ← y₀ − β ∇y₀.
/// </summary>
/// <remarks>
/// Cost per iteration: T ∇y g + 1 ∇x f + 1 ∇y f + T HVP + T cross (fused at each iterate; the HVP at y^0 is needed
/// for ∇y₀). It minimises f(x, y^T(x, y₀)) over (x, y₀), not Φ(x) = f(x, y*(x)): its stationary points have
/// ∇Φ(x) ≠ 0 for finite T (paper 002 §5.2 contrasts this with ITD-BiO, whose heads are lower-level variables with
/// no meta-learned initialization). <see cref="SolverState.Y"/> holds the adapted head y^T of the last iteration.
/// Choices: the paper's runs use learn2learn with Adam (Optimizer = Adam); the default is the plain step. On a generic problem the samples of
/// f and g need not pair up as tasks, so the two batches are drawn independently.
/// </remarks>
public sealed class Anil : BilevelSolver<AnilOptions, Anil.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "anil", "ANIL", "002", "Paper 002, §5.2 meta-learning baseline (Raghu et al. 2019; head-only adaptation, second-order meta-gradient)",
        LoopStructure.DoubleLoop, Stochastic: true, "T ∇y g + 1 ∇x f + 1 ∇y f + T HVP + T cross");

    public Anil(AnilOptions options)
        : base(options)
    {
        options.InnerStep.Validate(nameof(options.InnerStep));
        options.OuterStep.Validate(nameof(options.OuterStep));
        ArgumentOutOfRangeException.ThrowIfNegative(options.InnerSteps, nameof(options.InnerSteps));
        ArgumentOutOfRangeException.ThrowIfNegative(options.TaskBatchSize, nameof(options.TaskBatchSize));
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context) => new(context, Options);

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        var x = state.X;
        var lowerBatch = state.LowerTasks.Next();
        var upperBatch = state.UpperTasks.Next();

        // Adaptation from the meta-learned head y₀, recorded for back-propagation.
        var trajectory = state.Trajectory;
        state.Initialization.CopyTo(state.Y, 0);
        trajectory.Reset(state.Y);
        for (var t = 0; t < Options.InnerSteps; t++)
        {
            var alpha = Options.InnerStep.At(t);
            problem.LowerGradientY(x, state.Y, state.LowerGradient, lowerBatch);
            Vectors.Axpy(-alpha, state.LowerGradient, state.Y);
            trajectory.Append(state.Y, alpha);
        }

        // Reverse sweep: h = ∂/∂x, a = ∂/∂y₀.
        problem.UpperGradients(x, state.Y, state.UpperGradient, state.InitializationGradient, upperBatch);
        for (var t = Options.InnerSteps - 1; t >= 0; t--)
        {
            var alpha = trajectory.StepSize(t);
            problem.LowerHvpAndCrossProduct(x, trajectory.Iterate(t), state.InitializationGradient, state.Hvp, state.Cross, lowerBatch);
            Vectors.Axpy(-alpha, state.Cross, state.UpperGradient);
            Vectors.Axpy(-alpha, state.Hvp, state.InitializationGradient);
        }

        var beta = Options.OuterStep.At(state.Iteration);
        state.OuterX.Apply(beta, state.UpperGradient, x);
        state.OuterY.Apply(beta, state.InitializationGradient, state.Initialization);
        state.UpperSteps++;
    }

    /// <summary>ANIL's state: x (body), y₀ (meta-learned head initialization), Y = the adapted head, the trajectory and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, AnilOptions options)
            : base(context)
        {
            var problem = context.Problem;
            OuterX = new OuterUpdate(options.Optimizer, problem.UpperDimension);
            OuterY = new OuterUpdate(options.Optimizer, problem.LowerDimension);
            LowerTasks = LowerBatches(options.TaskBatchSize);
            UpperTasks = UpperBatches(options.TaskBatchSize);
            Initialization = context.LowerStart.ToArray();
            InitializationGradient = new double[problem.LowerDimension];
            UpperGradient = new double[problem.UpperDimension];
            LowerGradient = new double[problem.LowerDimension];
            Hvp = new double[problem.LowerDimension];
            Cross = new double[problem.UpperDimension];
            Trajectory = UnrolledLowerSteps.CreateTrajectory(problem.LowerDimension, options.InnerSteps);
        }

        /// <summary>y₀, the meta-learned head initialization.</summary>
        public double[] Initialization { get; }

        /// <summary>The last meta-gradient with respect to x.</summary>
        public double[] UpperGradient { get; }

        /// <summary>The last meta-gradient with respect to y₀.</summary>
        public double[] InitializationGradient { get; }

        /// <summary>The adaptation trajectory of the last iteration.</summary>
        public LowerTrajectory Trajectory { get; }

        internal BatchSource LowerTasks { get; }

        internal BatchSource UpperTasks { get; }

        internal double[] LowerGradient { get; }

        internal double[] Hvp { get; }

        internal double[] Cross { get; }

        internal OuterUpdate OuterX { get; }

        internal OuterUpdate OuterY { get; }
    }
}
