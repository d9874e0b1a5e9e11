using System.Numerics.Tensors;
using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper002;

/// <summary>
/// Options of <see cref="Hoag"/>. Defaults: paper 002 App. A.2 runs HOAG "with the same parameters" as reverse,
/// AID-FP and AID-CG (T = 10 inner steps, 10 CG steps; step sizes 100 for that problem's scaling, α = β = 0.1 here);
/// the tolerance sequence is the reference implementation's default (fabianp/hoag: ε₀ = 1e-3, "exponential"
/// decrease ε_{k+1} = ε_k / 2, floor 1e-12).
/// </summary>
/// <param name="InnerStep">α, the inner gradient-descent step (HOAG's inner solver; App. A.2 inner step size).</param>
/// <param name="OuterStep">The hyperparameter step 1/L of Pedregosa (2016) Algorithm 1 step (iv) (fixed here).</param>
/// <param name="MaxInnerSteps">At most T inner GD steps per iteration (App. A.2: 10).</param>
/// <param name="MaxCgIterations">At most N warm-started CG steps per iteration (App. A.2: 10).</param>
/// <param name="InitialTolerance">ε₀ of the summable tolerance sequence (hoag default 1e-3).</param>
/// <param name="ToleranceDecrease">ρ in ε_{k+1} = max(ρ ε_k, floor) (hoag "exponential": 0.5).</param>
/// <param name="ToleranceFloor">The smallest tolerance (hoag exact_epsilon = 1e-12).</param>
public sealed record HoagOptions(
    StepSize InnerStep,
    StepSize OuterStep,
    int MaxInnerSteps = 10,
    int MaxCgIterations = 10,
    double InitialTolerance = 1e-3,
    double ToleranceDecrease = 0.5,
    double ToleranceFloor = 1e-12)
{
    public HoagOptions()
        : this(StepSize.Constant(0.1), StepSize.Constant(0.1))
    {
    }
}

/// <summary>
/// HOAG (Pedregosa 2016, "Hyperparameter optimization with approximate gradient", Algorithm 1), the baseline of paper
/// 002 App. A.2 (digest §2.5 reference rule): at iteration k with tolerance ε_k, (i) warm-started GD on y until
/// ‖∇y g(x_k, y)‖ ≤ ε_k ‖∇y g(x_0, y_0)‖ (at most T steps); (ii) warm-started CG on ∇²yy g(x_k, y) q = ∇y f(x_k, y)
/// until ‖∇y f − ∇²yy g q‖ ≤ ε_k ‖∇y f‖ (at most N steps); (iii) p_k = ∇x f − ∇²xy g q; (iv) x_{k+1} = x_k − p_k/L;
/// ε_{k+1} = max(ρ ε_k, floor).
/// </summary>
/// <remarks>
/// Cost per iteration: t_k ∇y g + 1 ∇x f + 1 ∇y f + (n_k + 1) HVP + 1 cross, with t_k ≤ T gradient evaluations (each
/// step's gradient doubles as the stopping test: stopping after s steps costs s + 1 ≤ T, running all T steps costs T)
/// and n_k ≤ N CG steps (+1 HVP for the warm-start residual). Choices: the reference code solves
/// the inner problem with L-BFGS and adapts L by a sufficient-decrease test; paper 002 runs HOAG with its fixed
/// inner steps and step sizes, so the inner solver here is GD with at most T steps and 1/L is the fixed
/// <see cref="HoagOptions.OuterStep"/>. Tolerances are relative (to the first inner gradient norm and to ‖∇y f‖).
/// </remarks>
public sealed class Hoag : BilevelSolver<HoagOptions, Hoag.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "hoag", "HOAG", "002", "Paper 002, App. A.2 baseline (Pedregosa 2016, Algorithm 1: inexact inner and CG solves to a summable tolerance ε_k)",
        LoopStructure.DoubleLoop, Stochastic: false, "t_k ∇y g + 1 ∇x f + 1 ∇y f + (n_k + 1) HVP + 1 cross, t_k ≤ T, n_k ≤ N (tolerance ε_k)");

    public Hoag(HoagOptions options)
        : base(options)
    {
        options.InnerStep.Validate(nameof(options.InnerStep));
        options.OuterStep.Validate(nameof(options.OuterStep));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxInnerSteps, nameof(options.MaxInnerSteps));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxCgIterations, nameof(options.MaxCgIterations));
        OptionChecks.Positive(options.InitialTolerance, nameof(options.InitialTolerance));
        OptionChecks.Require(options.ToleranceDecrease is > 0 and <= 1, nameof(options.ToleranceDecrease), $"ToleranceDecrease must lie in (0, 1], got {options.ToleranceDecrease}");
        OptionChecks.Require(options.ToleranceFloor >= 0, nameof(options.ToleranceFloor), $"ToleranceFloor must be ≥ 0, got {options.ToleranceFloor}");
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context) => new(context, Options);

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        var x = state.X;
        var y = state.Y;
        var tolerance = state.Tolerance;

        // (i) inner GD to ‖∇y g‖ ≤ ε_k ‖∇y g(x_0, y_0)‖.
        var gradients = 0;
        var steps = 0;
        for (var t = 0; t < Options.MaxInnerSteps; t++)
        {
            problem.LowerGradientY(x, y, state.LowerGradient);
            gradients++;
            var norm = Vectors.Norm(state.LowerGradient);
            if (state.InitialGradientNorm < 0)
            {
                state.InitialGradientNorm = norm;
            }

            if (norm <= tolerance * state.InitialGradientNorm)
            {
                break;
            }

            Vectors.Axpy(-Options.InnerStep.At(t), state.LowerGradient, y);
            steps++;
        }

        // (ii) warm-started CG on ∇²yy g q = ∇y f to ‖r‖ ≤ ε_k ‖∇y f‖.
        problem.UpperGradients(x, y, state.Hypergradient, state.UpperGradientY);
        var q = state.Q;
        var r = state.Residual;
        var p = state.Direction;
        var ap = state.Product;
        problem.LowerHvp(x, y, q, ap);
        TensorPrimitives.Subtract(state.UpperGradientY, ap, r);
        r.CopyTo(p, 0);
        var rr = TensorPrimitives.Dot<double>(r, r);
        var target = tolerance * Vectors.Norm(state.UpperGradientY);
        var cg = 0;
        while (cg < Options.MaxCgIterations && Math.Sqrt(rr) > target)
        {
            problem.LowerHvp(x, y, p, ap);
            var curvature = TensorPrimitives.Dot<double>(p, ap);
            cg++;
            if (!(curvature > 0))
            {
                break;
            }

            var step = rr / curvature;
            Vectors.Axpy(step, p, q);
            Vectors.Axpy(-step, ap, r);
            var next = TensorPrimitives.Dot<double>(r, r);
            TensorPrimitives.MultiplyAdd(p, next / rr, r, p);
            rr = next;
        }

        // (iii) p_k = ∇x f − ∇²xy g q; (iv) x ← x − p_k / L.
        problem.LowerCrossProduct(x, y, q, state.Cross);
        Vectors.Axpy(-1, state.Cross, state.Hypergradient);
        Vectors.Axpy(-Options.OuterStep.At(state.Iteration), state.Hypergradient, x);
        state.UpperSteps++;
        state.LastInnerGradients = gradients;
        state.LastInnerSteps = steps;
        state.LastCgIterations = cg;
        state.Tolerance = Math.Max(tolerance * Options.ToleranceDecrease, Options.ToleranceFloor);
    }

    /// <summary>HOAG's state: x, y, the warm-started CG iterate q, the tolerance ε_k and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, HoagOptions options)
            : base(context)
        {
            var problem = context.Problem;
            Tolerance = options.InitialTolerance;
            Q = new double[problem.LowerDimension];
            Residual = new double[problem.LowerDimension];
            Direction = new double[problem.LowerDimension];
            Product = new double[problem.LowerDimension];
            LowerGradient = new double[problem.LowerDimension];
            UpperGradientY = new double[problem.LowerDimension];
            Hypergradient = new double[problem.UpperDimension];
            Cross = new double[problem.UpperDimension];
        }

        /// <summary>ε_k, the tolerance of the next iteration.</summary>
        public double Tolerance { get; internal set; }

        /// <summary>q ≈ [∇²yy g]⁻¹ ∇y f, warm-started across iterations.</summary>
        public double[] Q { get; }

        /// <summary>The last hypergradient estimate p_k.</summary>
        public double[] Hypergradient { get; }

        /// <summary>∇y g evaluations of the last iteration's inner loop (t_k).</summary>
        public int LastInnerGradients { get; internal set; }

        /// <summary>GD steps taken in the last iteration's inner loop.</summary>
        public int LastInnerSteps { get; internal set; }

        /// <summary>CG steps of the last iteration (n_k).</summary>
        public int LastCgIterations { get; internal set; }

        internal double InitialGradientNorm { get; set; } = -1;

        internal double[] Residual { get; }

        internal double[] Direction { get; }

        internal double[] Product { get; }

        internal double[] LowerGradient { get; }

        internal double[] UpperGradientY { get; }

        internal double[] Cross { get; }
    }
}
