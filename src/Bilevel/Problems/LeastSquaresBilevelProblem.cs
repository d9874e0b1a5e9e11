using System.Numerics.Tensors;
using Bilevel.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using MathNet.Numerics.Random;

namespace Bilevel.Problems;

/// <summary>
/// The least-squares bilevel problem of paper 000 (FSLA) §6.1, on n data rows:
/// f(x, y) = ‖A_o y − b_o‖², g(x, y) = ‖A_x x + A_y y − b_i‖² (sums of squares, no 1/n, as in the paper),
/// with x the paper's λ and y its ω. f does not depend on x (∇x f = 0).
/// </summary>
/// <remarks>
/// <para>
/// Oracles are computed from the data rows, matrix-free, as the paper's products are: ∇y g = 2A_yᵀr with
/// r = A_x x + A_y y − b_i, ∇²yy g · v = 2A_yᵀA_y v and ∇²xy g · v = 2A_xᵀA_y v, each O(n(dx + dy)).
/// A mini-batch B of rows gives the unbiased estimate (n/|B|) Σ_{i∈B} of each sum; upper and lower levels index
/// the same n rows.
/// </para>
/// <para>
/// Exact quantities use the Gram matrices and a Cholesky factor of A_yᵀA_y (paper 000 Proposition 1):
/// y*(x) = (A_yᵀA_y)⁻¹A_yᵀ(b_i − A_x x) and ∇Φ(x) = −A_xᵀA_y (A_yᵀA_y)⁻¹ ∇y f(x, y*(x)).
/// Instances are not thread-safe (oracles reuse one residual buffer).
/// </para>
/// </remarks>
public sealed class LeastSquaresBilevelProblem : BilevelProblem, IExactBilevelProblem
{
    private readonly Matrix<double> _upperDesign;
    private readonly Vector<double> _upperTarget;
    private readonly Matrix<double> _lowerDesignX;
    private readonly Matrix<double> _lowerDesignY;
    private readonly Vector<double> _lowerTarget;
    private readonly Matrix<double> _gramXY;
    private readonly Vector<double> _designYTarget;
    private readonly Cholesky<double> _gramYFactor;
    private readonly double _mu;
    private readonly double _smoothness;
    private readonly double[] _residual;

    /// <summary>Builds the problem from its data; every matrix has one row per sample.</summary>
    /// <param name="upperDesign">A_o, n×dy.</param>
    /// <param name="upperTarget">b_o, length n.</param>
    /// <param name="lowerDesignX">A_x (the paper's A_{i,λ}), n×dx.</param>
    /// <param name="lowerDesignY">A_y (the paper's A_{i,ω}), n×dy, full column rank.</param>
    /// <param name="lowerTarget">b_i, length n.</param>
    /// <param name="name">A short name.</param>
    public LeastSquaresBilevelProblem(Matrix<double> upperDesign, Vector<double> upperTarget,
        Matrix<double> lowerDesignX, Matrix<double> lowerDesignY, Vector<double> lowerTarget, string name = "least-squares")
        : base(lowerDesignX.ColumnCount, lowerDesignY.ColumnCount, upperDesign.RowCount, lowerDesignY.RowCount)
    {
        var n = upperDesign.RowCount;
        Require(upperDesign.ColumnCount == lowerDesignY.ColumnCount, $"A_o has {upperDesign.ColumnCount} columns but A_y has {lowerDesignY.ColumnCount}");
        Require(upperTarget.Count == n, $"b_o has length {upperTarget.Count}, expected {n}");
        Require(lowerDesignX.RowCount == n && lowerDesignY.RowCount == n && lowerTarget.Count == n,
            $"all data must have the same {n} rows (A_x {lowerDesignX.RowCount}, A_y {lowerDesignY.RowCount}, b_i {lowerTarget.Count})");
        _upperDesign = Dense(upperDesign);
        _upperTarget = Dense(upperTarget);
        _lowerDesignX = Dense(lowerDesignX);
        _lowerDesignY = Dense(lowerDesignY);
        _lowerTarget = Dense(lowerTarget);
        Name = name;

        var gramY = _lowerDesignY.TransposeThisAndMultiply(_lowerDesignY);
        _gramXY = _lowerDesignX.TransposeThisAndMultiply(_lowerDesignY);
        _designYTarget = _lowerDesignY.TransposeThisAndMultiply(_lowerTarget);
        var eigenvalues = gramY.Evd(Symmetricity.Symmetric).EigenValues;
        _mu = double.PositiveInfinity;
        _smoothness = double.NegativeInfinity;
        foreach (var e in eigenvalues)
        {
            _mu = Math.Min(_mu, 2 * e.Real);
            _smoothness = Math.Max(_smoothness, 2 * e.Real);
        }

        Require(_mu > 0, "A_y must have full column rank (the lower problem must be strongly convex)");
        _gramYFactor = gramY.Cholesky();
        _residual = new double[n];
    }

    public override string Name { get; }

    /// <summary>Number of data rows n.</summary>
    public int SampleCount => _upperDesign.RowCount;

    /// <summary>
    /// The synthetic problem of paper 000 §6.1 (Figure 1): A_o, A_x, A_y ∈ R^{n×d} and λ, ω, ω_λ ∈ R^d drawn from
    /// U[0, 1) ("the Uniform distribution"; the paper gives no range), b_o = A_o ω_λ + σ_o and
    /// b_i = A_x λ + A_y ω + σ_i with Gaussian noise of mean 0 and variance 0.1. The paper uses n = 10⁴, d = 5.
    /// Returns the problem and the fixed outer point λ at which the paper estimates hypergradients.
    /// </summary>
    public static (LeastSquaresBilevelProblem Problem, double[] UpperPoint) CreatePaper000(int seed, int samples = 10_000, int dimension = 5, double noiseVariance = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, dimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentOutOfRangeException.ThrowIfNegative(noiseVariance);
        var rng = new Xoshiro256StarStar(seed);
        var noiseSd = Math.Sqrt(noiseVariance);
        var upperDesign = RandomArrays.Uniform(rng, samples, dimension);
        var lowerDesignX = RandomArrays.Uniform(rng, samples, dimension);
        var lowerDesignY = RandomArrays.Uniform(rng, samples, dimension);
        var lambda = RandomArrays.Uniform(rng, dimension);
        var omega = RandomArrays.Uniform(rng, dimension);
        var omegaLambda = RandomArrays.Uniform(rng, dimension);
        var upperTarget = upperDesign * Vector<double>.Build.DenseOfArray(omegaLambda)
                          + Vector<double>.Build.DenseOfArray(RandomArrays.Gaussian(rng, samples, noiseSd));
        var lowerTarget = lowerDesignX * Vector<double>.Build.DenseOfArray(lambda)
                          + lowerDesignY * Vector<double>.Build.DenseOfArray(omega)
                          + Vector<double>.Build.DenseOfArray(RandomArrays.Gaussian(rng, samples, noiseSd));
        var problem = new LeastSquaresBilevelProblem(upperDesign, upperTarget, lowerDesignX, lowerDesignY, lowerTarget,
            $"fsla-quadratic(n={samples},d={dimension})");
        return (problem, lambda);
    }

    protected override double UpperValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch)
    {
        if (batch.IsFull)
        {
            UpperResidual(y, _residual);
            return TensorPrimitives.SumOfSquares<double>(_residual);
        }

        var sum = 0.0;
        foreach (var i in batch.Indices)
        {
            var r = RowDot(_upperDesign, i, y) - _upperTarget[i];
            sum += r * r;
        }

        return sum * Scale(batch);
    }

    protected override double LowerValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch)
    {
        if (batch.IsFull)
        {
            LowerResidual(x, y, _residual);
            return TensorPrimitives.SumOfSquares<double>(_residual);
        }

        var sum = 0.0;
        foreach (var i in batch.Indices)
        {
            var r = LowerRowResidual(i, x, y);
            sum += r * r;
        }

        return sum * Scale(batch);
    }

    protected override void UpperGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch)
    {
        gradientX.Clear();
        if (gradientY.IsEmpty)
        {
            return;
        }

        if (batch.IsFull)
        {
            UpperResidual(y, _residual);
            DenseOps.TransposeMultiply(_upperDesign, _residual, gradientY);
            TensorPrimitives.Multiply(gradientY, 2.0, gradientY);
            return;
        }

        gradientY.Clear();
        foreach (var i in batch.Indices)
        {
            var r = RowDot(_upperDesign, i, y) - _upperTarget[i];
            AddRow(_upperDesign, i, 2 * r, gradientY);
        }

        TensorPrimitives.Multiply(gradientY, Scale(batch), gradientY);
    }

    protected override void LowerGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch)
    {
        if (batch.IsFull)
        {
            LowerResidual(x, y, _residual);
            TransposeTimesTwo(_residual, gradientX, gradientY);
            return;
        }

        gradientX.Clear();
        gradientY.Clear();
        foreach (var i in batch.Indices)
        {
            var r = 2 * LowerRowResidual(i, x, y);
            AddRowIfWanted(_lowerDesignX, i, r, gradientX);
            AddRowIfWanted(_lowerDesignY, i, r, gradientY);
        }

        ScaleIfWanted(gradientX, Scale(batch));
        ScaleIfWanted(gradientY, Scale(batch));
    }

    protected override void LowerSecondOrderCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v,
        Span<double> hvp, Span<double> crossProduct, Batch batch)
    {
        // ∇²yy g · v = 2 A_yᵀ (A_y v) and ∇²xy g · v = 2 A_xᵀ (A_y v): both from the one product u = A_y v.
        if (batch.IsFull)
        {
            DenseOps.Multiply(_lowerDesignY, v, _residual);
            TransposeTimesTwo(_residual, crossProduct, hvp);
            return;
        }

        hvp.Clear();
        crossProduct.Clear();
        foreach (var i in batch.Indices)
        {
            var u = 2 * RowDot(_lowerDesignY, i, v);
            AddRowIfWanted(_lowerDesignY, i, u, hvp);
            AddRowIfWanted(_lowerDesignX, i, u, crossProduct);
        }

        ScaleIfWanted(hvp, Scale(batch));
        ScaleIfWanted(crossProduct, Scale(batch));
    }

    public void ExactLowerSolution(ReadOnlySpan<double> x, Span<double> lowerSolution)
    {
        CheckLength(x, UpperDimension, nameof(x));
        CheckLength(lowerSolution, LowerDimension, nameof(lowerSolution));
        var rhs = _designYTarget - _gramXY.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(x.ToArray()));
        _gramYFactor.Solve(rhs).AsArray().CopyTo(lowerSolution);
    }

    public void ExactHypergradient(ReadOnlySpan<double> x, Span<double> hypergradient)
    {
        CheckLength(hypergradient, UpperDimension, nameof(hypergradient));
        var y = new double[LowerDimension];
        ExactLowerSolution(x, y);
        var residual = new double[SampleCount];
        UpperResidual(y, residual);
        var gradientY = _upperDesign.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(residual)) * 2.0;
        // ∇Φ = ∇x f − (2 A_xᵀA_y)(2 A_yᵀA_y)⁻¹ ∇y f, and ∇x f = 0.
        var result = -(_gramXY * _gramYFactor.Solve(gradientY));
        result.AsArray().CopyTo(hypergradient);
    }

    public double ExactUpperObjective(ReadOnlySpan<double> x)
    {
        var y = new double[LowerDimension];
        ExactLowerSolution(x, y);
        var residual = new double[SampleCount];
        UpperResidual(y, residual);
        return TensorPrimitives.SumOfSquares<double>(residual);
    }

    public (double StrongConvexity, double Smoothness) LowerCurvature(ReadOnlySpan<double> x) => (_mu, _smoothness);

    private void UpperResidual(ReadOnlySpan<double> y, Span<double> residual)
    {
        DenseOps.Multiply(_upperDesign, y, residual);
        TensorPrimitives.Subtract(residual, _upperTarget.AsArray(), residual);
    }

    private void LowerResidual(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> residual)
    {
        DenseOps.Multiply(_lowerDesignY, y, residual);
        DenseOps.MultiplyAdd(_lowerDesignX, x, residual);
        TensorPrimitives.Subtract(residual, _lowerTarget.AsArray(), residual);
    }

    private void TransposeTimesTwo(ReadOnlySpan<double> residual, Span<double> gradientX, Span<double> gradientY)
    {
        if (!gradientX.IsEmpty)
        {
            DenseOps.TransposeMultiply(_lowerDesignX, residual, gradientX);
            TensorPrimitives.Multiply(gradientX, 2.0, gradientX);
        }

        if (!gradientY.IsEmpty)
        {
            DenseOps.TransposeMultiply(_lowerDesignY, residual, gradientY);
            TensorPrimitives.Multiply(gradientY, 2.0, gradientY);
        }
    }

    private double LowerRowResidual(int i, ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        RowDot(_lowerDesignX, i, x) + RowDot(_lowerDesignY, i, y) - _lowerTarget[i];

    private double Scale(Batch batch) => SampleCount / (double)batch.Count(SampleCount);

    private static double RowDot(Matrix<double> m, int row, ReadOnlySpan<double> v)
    {
        var data = DenseOps.Storage(m);
        var rows = m.RowCount;
        var sum = 0.0;
        for (var j = 0; j < v.Length; j++)
        {
            sum += data[(j * rows) + row] * v[j];
        }

        return sum;
    }

    private static void AddRow(Matrix<double> m, int row, double scale, Span<double> target)
    {
        var data = DenseOps.Storage(m);
        var rows = m.RowCount;
        for (var j = 0; j < target.Length; j++)
        {
            target[j] += scale * data[(j * rows) + row];
        }
    }

    private static void AddRowIfWanted(Matrix<double> m, int row, double scale, Span<double> target)
    {
        if (!target.IsEmpty)
        {
            AddRow(m, row, scale, target);
        }
    }

    private static void ScaleIfWanted(Span<double> target, double scale)
    {
        if (!target.IsEmpty)
        {
            TensorPrimitives.Multiply(target, scale, target);
        }
    }

    private static Matrix<double> Dense(Matrix<double> m) =>
        m.Storage is MathNet.Numerics.LinearAlgebra.Storage.DenseColumnMajorMatrixStorage<double> ? m : Matrix<double>.Build.DenseOfMatrix(m);

    private static Vector<double> Dense(Vector<double> v) => v.AsArray() is null ? Vector<double>.Build.DenseOfVector(v) : v;

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
