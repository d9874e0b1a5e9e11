using Bilevel.LinearSolvers;
using Bilevel.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;

namespace Bilevel.Tests.LinearSolvers;

public sealed class PowerIterationTests
{
    [Fact]
    public void LargestEigenvalue_DiagonalWithGap_MatchesLargestEntry()
    {
        var matrix = Matrix<double>.Build.DenseOfDiagonalArray([1, 2, 3, 5, 10]);
        var estimate = PowerIteration.LargestEigenvalue(new MatrixOperator(matrix), 200, 1e-12);
        Assert.Equal(10, estimate.Eigenvalue, 1e-8);
        Assert.True(estimate.Iterations < 200, $"converged in {estimate.Iterations} iterations");
    }

    [Fact]
    public void LargestEigenvalue_RandomSpdMatrix_MatchesEigenDecomposition()
    {
        var random = Matrix<double>.Build.Random(30, 30, new MathNet.Numerics.Distributions.Normal(0, 1, new Random(3)));
        var spd = random.TransposeThisAndMultiply(random);
        var exact = spd.Evd().EigenValues.Select(e => e.Real).Max();
        var estimate = PowerIteration.LargestEigenvalue(new MatrixOperator(spd), 5000, 1e-13);
        Assert.Equal(exact, estimate.Eigenvalue, exact * 1e-6);
        Assert.True(estimate.Eigenvalue <= exact * (1 + 1e-12), "the Rayleigh quotient never exceeds λ_max");
    }

    [Fact]
    public void LargestEigenvalue_FewIterations_StopsAtTheBudget()
    {
        var matrix = Matrix<double>.Build.DenseOfDiagonalArray([9.9, 10]);
        var estimate = PowerIteration.LargestEigenvalue(new MatrixOperator(matrix), 3, 0);
        Assert.Equal(3, estimate.Iterations);
        Assert.InRange(estimate.Eigenvalue, 9.9, 10);
    }
}
