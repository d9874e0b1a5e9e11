using Bilevel.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using MathNet.Numerics.Random;

namespace Bilevel.Problems;

/// <summary>
/// A bilevel problem whose two objectives are quadratic forms (<see cref="QuadraticForm"/>): f = upper, g = lower,
/// with ∇²yy g = lower.Qyy symmetric positive definite. Everything is known in closed form:
/// y*(x) = −Qyy⁻¹(Qxyᵀ x + by) and ∇Φ(x) = ∇x f − Qxy^g Qyy^g⁻¹ ∇y f at (x, y*(x)), by a Cholesky solve.
/// </summary>
/// <remarks>
/// The second derivatives are constant, so the iterative-differentiation, Neumann-series and fixed-point
/// hypergradients coincide on this problem (paper 000 §6.1 notes this for BP and NS); it is the reference problem
/// for checking every hypergradient method against the exact one.
/// </remarks>
public sealed class QuadraticBilevelProblem : BilevelProblem, IExactBilevelProblem
{
    private readonly QuadraticForm _upper;
    private readonly QuadraticForm _lower;
    private readonly Cholesky<double> _lowerHessianFactor;
    private readonly double _mu;
    private readonly double _smoothness;

    /// <summary>Builds the problem; throws when shapes disagree or the lower Hessian Qyy is not positive definite.</summary>
    public QuadraticBilevelProblem(QuadraticForm upper, QuadraticForm lower, string name = "quadratic")
        : base(Dimensions(upper, lower).Dx, Dimensions(upper, lower).Dy)
    {
        upper.Validate("upper");
        lower.Validate("lower");
        _upper = upper;
        _lower = lower;
        Name = name;
        var eigenvalues = lower.Qyy.Evd(Symmetricity.Symmetric).EigenValues;
        _mu = double.PositiveInfinity;
        _smoothness = double.NegativeInfinity;
        foreach (var e in eigenvalues)
        {
            _mu = Math.Min(_mu, e.Real);
            _smoothness = Math.Max(_smoothness, e.Real);
        }

        if (!(_mu > 0))
        {
            throw new ArgumentException($"lower Qyy must be positive definite (smallest eigenvalue {_mu:G4})", nameof(lower));
        }

        _lowerHessianFactor = lower.Qyy.Cholesky();
    }

    public override string Name { get; }

    /// <summary>The upper objective f.</summary>
    public QuadraticForm Upper => _upper;

    /// <summary>The lower objective g.</summary>
    public QuadraticForm Lower => _lower;

    /// <summary>
    /// A random quadratic bilevel problem with a lower Hessian of the given condition number, for tests and users:
    /// Qyy^g = U diag(μ … κμ) Uᵀ with log-spaced eigenvalues and a Haar-random U; the upper objective is jointly
    /// strongly convex in (x, y) (so Φ is strongly convex); all other blocks are Gaussian. Same seed, same problem.
    /// </summary>
    /// <param name="upperDimension">dx.</param>
    /// <param name="lowerDimension">dy.</param>
    /// <param name="conditionNumber">κ = L/μ of ∇²yy g (≥ 1).</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="strongConvexity">μ, the smallest eigenvalue of ∇²yy g.</param>
    public static QuadraticBilevelProblem CreateRandom(int upperDimension, int lowerDimension, double conditionNumber, int seed, double strongConvexity = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(upperDimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lowerDimension);
        if (!(conditionNumber >= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(conditionNumber), conditionNumber, "condition number must be at least 1");
        }

        if (!(strongConvexity > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(strongConvexity), strongConvexity, "strong convexity must be positive");
        }

        var rng = new Xoshiro256StarStar(seed);
        int dx = upperDimension, dy = lowerDimension, d = dx + dy;
        Matrix<double> Gaussian(int rows, int columns, double scale) => RandomArrays.Gaussian(rng, rows, columns, scale);
        Vector<double> GaussianVector(int n) => Vector<double>.Build.DenseOfArray(RandomArrays.Gaussian(rng, n));

        // Lower level: prescribed spectrum in y; a small PSD x-block; Gaussian coupling.
        var q = Gaussian(dy, dy, 1).QR().Q;
        var eigen = Vector<double>.Build.Dense(dy);
        for (var i = 0; i < dy; i++)
        {
            eigen[i] = strongConvexity * Math.Pow(conditionNumber, dy == 1 ? 0 : i / (double)(dy - 1));
        }

        var gyy = Symmetrize(q * Matrix<double>.Build.DenseOfDiagonalVector(eigen) * q.Transpose());
        var gxRoot = Gaussian(dx, dx, 1 / Math.Sqrt(dx));
        var gxx = Symmetrize(gxRoot * gxRoot.Transpose());
        var gxy = Gaussian(dx, dy, Math.Sqrt(strongConvexity * conditionNumber / dy));
        var lower = new QuadraticForm(gxx, gxy, gyy, GaussianVector(dx), GaussianVector(dy));

        // Upper level: a jointly positive-definite Hessian in (x, y).
        var root = Gaussian(d, d, 1 / Math.Sqrt(d));
        var joint = Symmetrize(root * root.Transpose() + 0.1 * Matrix<double>.Build.DenseIdentity(d));
        var upper = new QuadraticForm(
            joint.SubMatrix(0, dx, 0, dx),
            joint.SubMatrix(0, dx, dx, dy),
            joint.SubMatrix(dx, dy, dx, dy),
            GaussianVector(dx),
            GaussianVector(dy));
        return new QuadraticBilevelProblem(upper, lower, $"random-quadratic(dx={dx},dy={dy},κ={conditionNumber:G4})");
    }

    protected override double UpperValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch) => _upper.Value(x, y);

    protected override double LowerValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch) => _lower.Value(x, y);

    protected override void UpperGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch) =>
        _upper.Gradients(x, y, gradientX, gradientY);

    protected override void LowerGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch) =>
        _lower.Gradients(x, y, gradientX, gradientY);

    protected override void LowerSecondOrderCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v,
        Span<double> hvp, Span<double> crossProduct, Batch batch)
    {
        if (!hvp.IsEmpty)
        {
            DenseOps.Multiply(_lower.Qyy, v, hvp);
        }

        if (!crossProduct.IsEmpty)
        {
            DenseOps.Multiply(_lower.Qxy, v, crossProduct);
        }
    }

    public void ExactLowerSolution(ReadOnlySpan<double> x, Span<double> lowerSolution)
    {
        CheckLength(x, UpperDimension, nameof(x));
        CheckLength(lowerSolution, LowerDimension, nameof(lowerSolution));
        var rhs = _lower.Qxy.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(x.ToArray())) + _lower.By;
        var solution = _lowerHessianFactor.Solve(rhs);
        for (var i = 0; i < solution.Count; i++)
        {
            lowerSolution[i] = -solution[i];
        }
    }

    public void ExactHypergradient(ReadOnlySpan<double> x, Span<double> hypergradient)
    {
        CheckLength(hypergradient, UpperDimension, nameof(hypergradient));
        var y = new double[LowerDimension];
        ExactLowerSolution(x, y);
        var gy = new double[LowerDimension];
        _upper.Gradients(x, y, hypergradient, gy);
        var v = _lowerHessianFactor.Solve(Vector<double>.Build.DenseOfArray(gy));
        var cross = _lower.Qxy * v;
        for (var i = 0; i < hypergradient.Length; i++)
        {
            hypergradient[i] -= cross[i];
        }
    }

    public double ExactUpperObjective(ReadOnlySpan<double> x)
    {
        var y = new double[LowerDimension];
        ExactLowerSolution(x, y);
        return _upper.Value(x, y);
    }

    public (double StrongConvexity, double Smoothness) LowerCurvature(ReadOnlySpan<double> x) => (_mu, _smoothness);

    private static Matrix<double> Symmetrize(Matrix<double> m) => 0.5 * (m + m.Transpose());

    private static (int Dx, int Dy) Dimensions(QuadraticForm upper, QuadraticForm lower)
    {
        ArgumentNullException.ThrowIfNull(upper);
        ArgumentNullException.ThrowIfNull(lower);
        if (upper.UpperDimension != lower.UpperDimension || upper.LowerDimension != lower.LowerDimension)
        {
            throw new ArgumentException(
                $"upper objective is over (dx = {upper.UpperDimension}, dy = {upper.LowerDimension}) but lower is over (dx = {lower.UpperDimension}, dy = {lower.LowerDimension})");
        }

        return (upper.UpperDimension, upper.LowerDimension);
    }
}
