using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper002;

/// <summary>
/// Options of <see cref="Maml"/>. Defaults: paper 002 §5.2, Figure 1(a) (MAML): inner step 0.5, outer (meta) step
/// 0.003, task sampling size 32, 3 inner steps.
/// </summary>
/// <param name="InnerStep">α, the inner (adaptation) step on all parameters (x, y) (Fig. 1(a): 0.5; Fig. 1(b): 0.5).</param>
/// <param name="OuterStep">β, the meta step on the initialization (x₀, y₀) (Fig. 1(a): 0.003, Fig. 1(b): 0.001, with Adam; <see cref="Optimizer"/> selects it, SGD by default).</param>
/// <param name="InnerSteps">T, adaptation steps (Fig. 1: 3).</param>
/// <param name="TaskBatchSize">Samples ("tasks") per iteration for g and for f (Fig. 1: task sampling size 32; 0 = full batch).</param>
/// <param name="Optimizer">The outer update: SGD (Algorithm 1 as written) or Adam, which paper 002 §5.2 uses for every meta-learning method.</param>
public sealed record MamlOptions(StepSize InnerStep, StepSize OuterStep, int InnerSteps = 3, int TaskBatchSize = 32, OuterOptimizer Optimizer = OuterOptimizer.Sgd)
{
    public MamlOptions()
        : this(StepSize.Constant(0.5), StepSize.Constant(0.003))
    {
    }
}

/// <summary>
/// MAML (Finn et al. 2017), the meta-learning baseline of paper 002 §5.2 (digest §2.5 reference rule), first-order
/// form (FOMAML, Finn et al. §5.2) on a generic bilevel problem: the initialization θ = (x, y) of all parameters is
/// meta-learned; per iteration a batch of lower samples (support losses) and one of upper samples (query losses) is
/// drawn; θ is adapted by T full-batch GD steps on g over that batch, (x', y') ← (x', y') − α ∇_{(x,y)} g(x', y'; 𝓑_g)
/// from (x, y); and θ ← θ − β ∇_{(x,y)} f(x', y'; 𝓑_f).
/// </summary>
/// <remarks>
/// Cost per iteration: T ∇x g + T ∇y g + 1 ∇x f + 1 ∇y f (no second-order products). Approximation: second-order MAML
/// back-propagates through the adaptation with the full Hessian of g in (x, y), whose ∇²xx g block the oracle API
/// does not provide; the first-order form drops all second derivatives (the Jacobian of the adaptation is taken as
/// the identity). MAML minimises f after adaptation, not Φ(x) = f(x, y*(x)); <see cref="SolverState.X"/> and
/// <see cref="SolverState.Y"/> hold the meta-learned initialization, and ∇Φ is evaluated at that x.
/// Choices: the paper's runs use learn2learn with Adam (Optimizer = Adam); the default is the plain step. On a generic problem the samples
/// of f and g need not pair up as tasks, so the two batches are drawn independently.
/// </remarks>
public sealed class Maml : BilevelSolver<MamlOptions, Maml.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "maml", "MAML", "002", "Paper 002, §5.2 meta-learning baseline (Finn et al. 2017, first-order MAML)",
        LoopStructure.DoubleLoop, Stochastic: true, "T ∇x g + T ∇y g + 1 ∇x f + 1 ∇y f");

    public Maml(MamlOptions options)
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
        var lowerBatch = state.LowerTasks.Next();
        var upperBatch = state.UpperTasks.Next();
        var xa = state.AdaptedX;
        var ya = state.AdaptedY;
        state.X.CopyTo(xa, 0);
        state.Y.CopyTo(ya, 0);
        for (var t = 0; t < Options.InnerSteps; t++)
        {
            var alpha = Options.InnerStep.At(t);
            problem.LowerGradients(xa, ya, state.LowerGradientX, state.LowerGradientY, lowerBatch);
            Vectors.Axpy(-alpha, state.LowerGradientX, xa);
            Vectors.Axpy(-alpha, state.LowerGradientY, ya);
        }

        problem.UpperGradients(xa, ya, state.MetaGradientX, state.MetaGradientY, upperBatch);
        var beta = Options.OuterStep.At(state.Iteration);
        state.OuterX.Apply(beta, state.MetaGradientX, state.X);
        state.OuterY.Apply(beta, state.MetaGradientY, state.Y);
        state.UpperSteps++;
    }

    /// <summary>MAML's state: the meta-learned initialization (X, Y), the adapted parameters and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, MamlOptions options)
            : base(context)
        {
            var problem = context.Problem;
            OuterX = new OuterUpdate(options.Optimizer, problem.UpperDimension);
            OuterY = new OuterUpdate(options.Optimizer, problem.LowerDimension);
            LowerTasks = LowerBatches(options.TaskBatchSize);
            UpperTasks = UpperBatches(options.TaskBatchSize);
            AdaptedX = new double[problem.UpperDimension];
            AdaptedY = new double[problem.LowerDimension];
            LowerGradientX = new double[problem.UpperDimension];
            LowerGradientY = new double[problem.LowerDimension];
            MetaGradientX = new double[problem.UpperDimension];
            MetaGradientY = new double[problem.LowerDimension];
        }

        /// <summary>x' after the last adaptation.</summary>
        public double[] AdaptedX { get; }

        /// <summary>y' after the last adaptation.</summary>
        public double[] AdaptedY { get; }

        /// <summary>The last first-order meta-gradient ∇x f(x', y').</summary>
        public double[] MetaGradientX { get; }

        /// <summary>The last first-order meta-gradient ∇y f(x', y').</summary>
        public double[] MetaGradientY { get; }

        internal BatchSource LowerTasks { get; }

        internal BatchSource UpperTasks { get; }

        internal double[] LowerGradientX { get; }

        internal double[] LowerGradientY { get; }

        internal OuterUpdate OuterX { get; }

        internal OuterUpdate OuterY { get; }
    }
}
