using Bilevel.LinearSolvers;
using Bilevel.Problems;
using Bilevel.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;

namespace Bilevel.Tests.LinearSolvers;

/// <summary>
/// <see cref="NeumannSeries"/>, <see cref="FixedPointIteration"/>, <see cref="CholeskySolver"/> and
/// <see cref="LowerHessianOperator"/>: values against closed forms, and operator applications against each class's
/// documented cost.
/// </summary>
public sealed class SeriesSolverTests
{
    private const int D = 13;
    private const double Kappa = 10;

    private static (Matrix<double> A, double[] B, double[] Solution, double Step) System()
    {
        var a = MatrixOperator.RandomSpd(D, Kappa, seed: 21);
        var b = TestProblems.RandomVector(D, 22);
        return (a, b, a.Solve(Vector<double>.Build.DenseOfArray(b)).ToArray(), 0.9 / Kappa);
    }

    /// <summary>η Σ_{q=0}^{Q} (I − ηA)^q b, term by term with MathNet.</summary>
    private static double[] NeumannReference(Matrix<double> a, double[] b, double eta, int q)
    {
        var term = Vector<double>.Build.DenseOfArray(b);
        var sum = eta * term;
        var contraction = Matrix<double>.Build.DenseIdentity(a.RowCount) - (eta * a);
        for (var k = 0; k < q; k++)
        {
            term = contraction * term;
            sum += eta * term;
        }

        return sum.ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(40)]
    public void NeumannSeries_QIterations_MatchesTruncatedSeriesWithQHvps(int q)
    {
        var (a, b, _, eta) = System();
        var op = new MatrixOperator(a);
        var solution = OracleChecks.Filled(D);
        var result = new NeumannSeries(new NeumannSeriesOptions(q, eta)).Solve(op, b, solution);
        Check.Close(NeumannReference(a, b, eta, q), solution, 1e-12, $"NS with Q = {q}");
        Assert.Equal(q, op.Applications);
        Assert.Equal(q, result.OperatorApplications);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(40)]
    public void FixedPointIteration_KIterationsColdStart_EqualsNeumannWithKTermsAtKMinusOneHvps(int k)
    {
        var (a, b, _, eta) = System();
        var op = new MatrixOperator(a);
        var solution = OracleChecks.Filled(D);
        var result = new FixedPointIteration(new FixedPointOptions(k, eta)).Solve(op, b, solution);
        Check.Close(NeumannReference(a, b, eta, k - 1), solution, 1e-12, $"FP with K = {k}");
        Assert.Equal(k - 1, op.Applications);
        Assert.Equal(k - 1, result.OperatorApplications);
    }

    [Fact]
    public void FixedPointIteration_ZeroIterations_ReturnsZeroWithoutApplications()
    {
        var (a, b, _, eta) = System();
        var op = new MatrixOperator(a);
        var solution = OracleChecks.Filled(D);
        new FixedPointIteration(new FixedPointOptions(0, eta)).Solve(op, b, solution);
        Assert.All(solution, value => Assert.Equal(0.0, value));
        Assert.Equal(0, op.Applications);
    }

    [Fact]
    public void FixedPointIteration_WarmStart_CostsKHvpsAndContinuesFromTheGuess()
    {
        var (a, b, exact, eta) = System();
        var op = new MatrixOperator(a);
        var solution = (double[])exact.Clone();
        new FixedPointIteration(new FixedPointOptions(5, eta, WarmStart: true)).Solve(op, b, solution);
        Assert.Equal(5, op.Applications);
        // The solution is a fixed point of v ← v − η(Av − b): starting there, it stays.
        Check.Close(exact, solution, 1e-12, "FP warm-started at A⁻¹b");
    }

    [Theory]
    [InlineData("Neumann")]
    [InlineData("FixedPoint")]
    public void SeriesSolvers_ManyIterations_ConvergeToSolution(string solver)
    {
        // Contraction 1 − η μ = 1 − 0.9/κ = 0.91; 400 iterations: 0.91^400 ≈ 4e-17 (× κ for the error in v).
        var (a, b, exact, eta) = System();
        ILinearSystemSolver s = solver == "Neumann"
            ? new NeumannSeries(new NeumannSeriesOptions(400, eta))
            : new FixedPointIteration(new FixedPointOptions(400, eta));
        var solution = new double[D];
        s.Solve(new MatrixOperator(a), b, solution);
        Check.Close(exact, solution, 1e-12, solver);
    }

    [Fact]
    public void CholeskySolver_SpdSystem_ExactWithDimensionApplications()
    {
        var a = MatrixOperator.RandomSpd(30, 1e4, seed: 23);
        var b = TestProblems.RandomVector(30, 24);
        var op = new MatrixOperator(a);
        var solution = OracleChecks.Filled(30);
        var result = new CholeskySolver().Solve(op, b, solution);
        var residual = (Vector<double>.Build.DenseOfArray(b) - (a * Vector<double>.Build.DenseOfArray(solution))).L2Norm() / Check.Norm(b);
        Assert.True(residual <= 1e-12, $"relative residual {residual:E3}");
        Assert.Equal(30, op.Applications);
        Assert.Equal(30, result.OperatorApplications);
    }

    [Fact]
    public void Constructors_NonPositiveStep_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NeumannSeries(new NeumannSeriesOptions(3, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NeumannSeries(new NeumannSeriesOptions(3, -0.1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NeumannSeries(new NeumannSeriesOptions(-1, 0.1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedPointIteration(new FixedPointOptions(3, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedPointIteration(new FixedPointOptions(-1, 0.1)));
    }

    [Fact]
    public void LowerHessianOperator_Apply_EqualsLowerHvpAtBoundPointAndCountsOneHvp()
    {
        var (problem, lambda) = TestProblems.LeastSquares(4, 5);
        var y = TestProblems.RandomVector(5, 1);
        var v = TestProblems.RandomVector(5, 2);
        var batch = Batch.Of([2, 3, 5, 7, 11]);
        var op = new LowerHessianOperator(problem).Bind(lambda, y, batch);
        Assert.Equal(5, op.Dimension);
        Assert.Same(problem, op.Problem);

        // Bind copies: changing the caller's arrays afterwards must not move the bound point.
        var expected = new double[5];
        problem.LowerHvp(lambda, y, v, expected, batch);
        var lambdaCopy = (double[])lambda.Clone();
        lambda[0] += 100;
        y[0] += 100;
        var before = problem.Counter.Snapshot();
        var result = OracleChecks.Filled(5);
        op.Apply(v, result);
        Check.BitwiseEqual(expected, result, "operator vs LowerHvp");
        var delta = problem.Counter.Snapshot() - before;
        Assert.Equal(1, delta.Hvps);
        Assert.Equal(5, delta.LowerSamples);
        Assert.NotEqual(lambdaCopy[0], lambda[0]);
    }
}
