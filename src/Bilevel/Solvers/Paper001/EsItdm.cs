using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper001;

/// <summary>
/// Options of <see cref="EsItdm"/>. Defaults: paper 001 §4.4 ("outer learning rate β = 0.1 and inner learning rate
/// α = 0.4 … for all methods", Omniglot hyper-representation). γ is not stated there; the default γ = α (the
/// step the Jacobian recursion unrolls) is this implementation's choice. Theorem 1 asks α, γ ∈ (0, 1/μ_G).
/// </summary>
/// <param name="LowerStep">α, the single lower gradient step y^{l+1} = y^l − α ∇y g(x^l, y^l) (Algorithm 2 line 3); §4.4: 0.4.</param>
/// <param name="UpperStep">β, the upper step x^{l+1} = x^l − β ∇̂f(x^l) (Algorithm 2 line 5); §4.4: 0.1.</param>
/// <param name="VirtualStep">γ, the "virtual" unrolled step of the Jacobian recursion eq. (5), separate from α (not stated; default α).</param>
public sealed record EsItdmOptions(double LowerStep = 0.4, double UpperStep = 0.1, double VirtualStep = 0.4);

/// <summary>
/// ES-ITDM, paper 001 ("Hessian Free Efficient Single Loop Iterative Differentiation Methods for Bi-Level
/// Optimization Problems") Algorithm 2, deterministic: per iteration l, J^{l+1} = J^l (I − γ ∇²yy g(x^l, y^l)) −
/// γ ∇²xy g(x^l, y^l) (eq. 5, J^0 = 0, equal to eq. 6); y^{l+1} = y^l − α ∇y g(x^l, y^l);
/// ∇̂f(x^l) = ∇x f(x^l, y^{l+1}) + J^{l+1} ∇y f(x^l, y^{l+1}) (line 4); x^{l+1} = x^l − β ∇̂f(x^l).
/// </summary>
/// <remarks>
/// <para>
/// Dimensions (digest §1.3, §2.6): the paper's J ∈ R^{n×m} is the transpose of ∂y*/∂x, so line 4's "(J^{l+1})ᵀ ∇y f"
/// is computed as J^{l+1} ∇y f; ∇²xy g is the n×m matrix of the cross product. Line 4 as printed takes J^{l+1}
/// from the unrolled eq. (6) over the whole history (O(l) HVPs per iteration); with J^0 = 0 it equals eq. (5), which
/// this implementation applies to a stored dx×dy matrix (<see cref="LowerJacobian"/>), so the cost per iteration does
/// not grow with l: dy fused calls give the columns of ∇²yy g and ∇²xy g.
/// </para>
/// <para>Cost per iteration: 1 ∇y g + dy HVP + dy cross + 1 ∇x f + 1 ∇y f.</para>
/// </remarks>
public sealed class EsItdm : BilevelSolver<EsItdmOptions, EsItdm.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "es-itdm", "ES-ITDM", "001", "Paper 001, Algorithm 2 with the Jacobian recursion eq. (5) (= eq. (6) with J^0 = 0)",
        LoopStructure.FullySingleLoop, Stochastic: false, "1 ∇y g + dy HVP + dy cross + 1 ∇x f + 1 ∇y f");

    public EsItdm(EsItdmOptions options)
        : base(options)
    {
        Steps.Positive(options.LowerStep, nameof(options.LowerStep));
        Steps.Positive(options.UpperStep, nameof(options.UpperStep));
        Steps.Positive(options.VirtualStep, nameof(options.VirtualStep));
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context) => new(context);

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        state.Jacobian.ExactStep(problem, state.X, state.Y, Options.VirtualStep, Problems.Batch.Full);
        problem.LowerGradientY(state.X, state.Y, state.LowerGradient);
        Vectors.Axpy(-Options.LowerStep, state.LowerGradient, state.Y);
        problem.UpperGradients(state.X, state.Y, state.Hypergradient, state.UpperGradientY);
        state.Jacobian.MultiplyAdd(state.UpperGradientY, state.Hypergradient);
        Vectors.Axpy(-Options.UpperStep, state.Hypergradient, state.X);
        state.UpperSteps++;
    }

    /// <summary>ES-ITDM's state: x, y, the Jacobian estimate J and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context)
            : base(context)
        {
            var problem = context.Problem;
            Jacobian = new LowerJacobian(problem.UpperDimension, problem.LowerDimension);
            Hypergradient = new double[problem.UpperDimension];
            LowerGradient = new double[problem.LowerDimension];
            UpperGradientY = new double[problem.LowerDimension];
        }

        /// <summary>J^l ∈ R^{dx×dy}.</summary>
        public LowerJacobian Jacobian { get; }

        /// <summary>The last estimate ∇̂f(x^l).</summary>
        public double[] Hypergradient { get; }

        internal double[] LowerGradient { get; }

        internal double[] UpperGradientY { get; }
    }
}

/// <summary>Option checks shared by paper 001's solvers.</summary>
internal static class Steps
{
    /// <summary>Throws one line naming the option unless it is positive and finite.</summary>
    public static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be positive and finite, got {value}");
        }
    }
}
