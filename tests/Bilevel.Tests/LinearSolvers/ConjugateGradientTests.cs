using Bilevel.LinearSolvers;
using Bilevel.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;

namespace Bilevel.Tests.LinearSolvers;

/// <summary><see cref="ConjugateGradient"/> on dense SPD systems with known spectra.</summary>
public sealed class ConjugateGradientTests
{
    private static double RelativeResidual(Matrix<double> a, double[] b, double[] solution) =>
        (Vector<double>.Build.DenseOfArray(b) - (a * Vector<double>.Build.DenseOfArray(solution))).L2Norm() / Check.Norm(b);

    /// <remarks>
    /// Finite termination holds in exact arithmetic for any κ; in float64 the loss of orthogonality of the residuals
    /// (Greenbaum &amp; Strakoš 1992) delays it once κ is large relative to d: on these log-spaced spectra textbook CG
    /// reaches ~1e-5 after d = 30 iterations at κ = 100, and the library's CG does the same. The cases below keep κ where
    /// float64 CG does terminate: measured residuals ≤ 1e-12 (κ = 10) and ≤ 5e-12 (d = 5, κ = 100).
    /// </remarks>
    [Theory]
    [InlineData(5, 10.0)]
    [InlineData(5, 100.0)]
    [InlineData(13, 10.0)]
    [InlineData(30, 10.0)]
    public void Solve_SpdSystem_ExactWithinDimensionIterations(int d, double conditionNumber)
    {
        var a = MatrixOperator.RandomSpd(d, conditionNumber, seed: d);
        var b = TestProblems.RandomVector(d, d + 1);
        var op = new MatrixOperator(a);
        var solution = OracleChecks.Filled(d);
        var result = new ConjugateGradient(new ConjugateGradientOptions(Iterations: d)).Solve(op, b, solution);

        var residual = RelativeResidual(a, b, solution);
        Assert.True(residual <= 1e-10, $"relative residual {residual:E3} after {result.Iterations} of {d} iterations");
        Assert.InRange(result.Iterations, 1, d);
        Assert.Equal(result.Iterations, result.OperatorApplications);
        Assert.Equal(op.Applications, result.OperatorApplications);
        // The reported residual is the recursively updated one: it must agree with the true residual to rounding.
        Assert.True(result.ResidualNorm <= 1e-9 * Check.Norm(b), $"reported residual {result.ResidualNorm:E3}");
        Check.Close(a.Solve(Vector<double>.Build.DenseOfArray(b)).ToArray(), solution, 1e-8 * conditionNumber, "CG vs LU solution");
    }

    [Theory]
    [InlineData(13, 100.0)]
    [InlineData(30, 1.0e3)]
    public void Solve_IllConditionedSpdSystem_ExactWithinThreeTimesDimensionIterations(int d, double conditionNumber)
    {
        // Beyond the float64 finite-termination regime CG still converges, just later than d iterations.
        var a = MatrixOperator.RandomSpd(d, conditionNumber, seed: d);
        var b = TestProblems.RandomVector(d, d + 1);
        var solution = new double[d];
        new ConjugateGradient(new ConjugateGradientOptions(Iterations: 3 * d)).Solve(new MatrixOperator(a), b, solution);
        var residual = RelativeResidual(a, b, solution);
        Assert.True(residual <= 1e-10, $"relative residual {residual:E3} after {3 * d} iterations");
    }

    [Fact]
    public void Solve_FewerIterationsThanDimension_NotYetExact()
    {
        // The control for the test above: with d/3 iterations on κ = 10³ the residual is still far from 1e-10.
        const int d = 30;
        var a = MatrixOperator.RandomSpd(d, 1e3, seed: d);
        var b = TestProblems.RandomVector(d, d + 1);
        var solution = new double[d];
        var result = new ConjugateGradient(new ConjugateGradientOptions(Iterations: d / 3)).Solve(new MatrixOperator(a), b, solution);
        Assert.Equal(d / 3, result.Iterations);
        Assert.False(result.Converged);
        Assert.True(RelativeResidual(a, b, solution) > 1e-4);
    }

    [Fact]
    public void Solve_RelativeTolerance_StopsEarlyAndReportsConverged()
    {
        const int d = 30;
        var a = MatrixOperator.RandomSpd(d, 10, seed: 3);
        var b = TestProblems.RandomVector(d, 4);
        var solution = new double[d];
        var result = new ConjugateGradient(new ConjugateGradientOptions(Iterations: 1000, RelativeTolerance: 1e-6)).Solve(new MatrixOperator(a), b, solution);
        Assert.True(result.Converged);
        Assert.True(result.Iterations < d, $"{result.Iterations} iterations");
        Assert.True(result.ResidualNorm <= 1e-6 * Check.Norm(b));
        Assert.True(RelativeResidual(a, b, solution) <= 1.01e-6);
    }

    [Fact]
    public void Solve_WarmStartAtSolution_OneApplicationAndUnchangedSolution()
    {
        const int d = 13;
        var a = MatrixOperator.RandomSpd(d, 10, seed: 5);
        var b = TestProblems.RandomVector(d, 6);
        var solution = a.Solve(Vector<double>.Build.DenseOfArray(b)).ToArray();
        var op = new MatrixOperator(a);
        var result = new ConjugateGradient(new ConjugateGradientOptions(Iterations: 4, RelativeTolerance: 1e-8, WarmStart: true)).Solve(op, b, solution);
        Assert.Equal(0, result.Iterations);
        Assert.Equal(1, result.OperatorApplications);
        Assert.True(result.Converged);
        Assert.True(RelativeResidual(a, b, solution) <= 1e-12);
    }

    [Fact]
    public void Solve_WarmStart_CostsIterationsPlusOne()
    {
        const int d = 13;
        var a = MatrixOperator.RandomSpd(d, 10, seed: 7);
        var b = TestProblems.RandomVector(d, 8);
        var solution = TestProblems.RandomVector(d, 9);
        var op = new MatrixOperator(a);
        var result = new ConjugateGradient(new ConjugateGradientOptions(Iterations: 5, WarmStart: true)).Solve(op, b, solution);
        Assert.Equal(5, result.Iterations);
        Assert.Equal(6, result.OperatorApplications);
        Assert.Equal(6, op.Applications);
    }

    /// <remarks>
    /// With the default RelativeTolerance = 0, CG keeps iterating after it has converged; the residual then shrinks
    /// into the subnormal range until pᵀAp underflows to 0 while rᵀr is still a non-zero subnormal, and the
    /// "non-positive curvature" check throws for an SPD operator. On this machine seed 99 of these 100 systems hits it
    /// (the exact seed depends on the SIMD width of the dot products).
    /// </remarks>
    [Fact]
    public void Solve_ManyMoreIterationsThanDimension_ConvergesWithoutThrowing()
    {
        const int d = 5;
        var failures = new List<string>();
        for (var seed = 1; seed <= 100; seed++)
        {
            var a = MatrixOperator.RandomSpd(d, 4, seed);
            var b = TestProblems.RandomVector(d, seed + 1000);
            var solution = new double[d];
            try
            {
                new ConjugateGradient(new ConjugateGradientOptions(Iterations: 1000)).Solve(new MatrixOperator(a), b, solution);
                if (RelativeResidual(a, b, solution) > 1e-12)
                {
                    failures.Add($"seed {seed}: residual {RelativeResidual(a, b, solution):E2}");
                }
            }
            catch (InvalidOperationException e)
            {
                failures.Add($"seed {seed}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("; ", failures));
    }

    [Fact]
    public void Solve_TinyScaledSpdSystem_SolvesInsteadOfReportingIndefinite()
    {
        // A = diag(1, 2)·1e-200 is SPD and b = (1, 1)·1e-100 is representable; A⁻¹b = (1, 0.5)·1e100. pᵀAp = 3e-400
        // underflows to 0 in float64, the same mechanism as the test above, independent of the platform.
        var a = Matrix<double>.Build.DenseOfDiagonalArray([1e-200, 2e-200]);
        var solution = new double[2];
        new ConjugateGradient(new ConjugateGradientOptions(Iterations: 2)).Solve(new MatrixOperator(a), [1e-100, 1e-100], solution);
        Check.Close([1e100, 0.5e100], solution, 1e-12, "A⁻¹b");
    }

    [Fact]
    public void Solve_IndefiniteOperator_ThrowsInvalidOperation()
    {
        var a = Matrix<double>.Build.DenseOfDiagonalArray([1.0, -2.0, 3.0]);
        var solver = new ConjugateGradient(new ConjugateGradientOptions(Iterations: 3));
        Assert.Throws<InvalidOperationException>(() => solver.Solve(new MatrixOperator(a), [0.0, 1.0, 0.0], new double[3]));
    }

    [Fact]
    public void Constructor_NegativeIterationsOrTolerance_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConjugateGradient(new ConjugateGradientOptions(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConjugateGradient(new ConjugateGradientOptions(3, -1e-3)));
    }

    [Fact]
    public void Solve_IndefiniteOperator_ThrowsByDefaultAndTruncatesWhenAsked()
    {
        var indefinite = new MatrixOperator(MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfDiagonalArray([2, -1, 3]));
        double[] b = [1, 1, 1];
        var solution = new double[3];
        Assert.Throws<InvalidOperationException>(() => new ConjugateGradient(new ConjugateGradientOptions(5)).Solve(indefinite, b, solution));

        var truncated = new ConjugateGradient(new ConjugateGradientOptions(5) { StopAtNegativeCurvature = true }).Solve(indefinite, b, solution);
        Assert.False(truncated.Converged);
        Assert.True(solution.All(double.IsFinite));
        Assert.True(truncated.Iterations < 5, $"stopped after {truncated.Iterations} iterations");
    }
}
