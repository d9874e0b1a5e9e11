using Bilevel.Problems;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Problems;

/// <summary>Every oracle of random <see cref="QuadraticBilevelProblem"/> instances against central finite differences.</summary>
public sealed class QuadraticBilevelProblemOracleTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 11 },
        { 3, 2, 12 },
        { 7, 13, 13 },
        { 13, 7, 14 },
        { 5, 30, 15 },
    };

    private static (QuadraticBilevelProblem Problem, double[] X, double[] Y, double[] V) Point(int dx, int dy, int seed)
    {
        var problem = TestProblems.Quadratic(dx, dy, seed);
        return (problem,
            TestProblems.RandomVector(dx, seed + 100),
            TestProblems.RandomVector(dy, seed + 200),
            TestProblems.RandomVector(dy, seed + 300));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void UpperGradients_RandomQuadratic_MatchCentralDifferenceOfUpperValue(int dx, int dy, int seed)
    {
        var (problem, x, y, _) = Point(dx, dy, seed);
        OracleChecks.UpperGradients(problem, x, y, Batch.Full);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LowerGradients_RandomQuadratic_MatchCentralDifferenceOfLowerValue(int dx, int dy, int seed)
    {
        var (problem, x, y, _) = Point(dx, dy, seed);
        OracleChecks.LowerGradients(problem, x, y, Batch.Full);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LowerHvp_RandomQuadratic_MatchesCentralDifference(int dx, int dy, int seed)
    {
        var (problem, x, y, v) = Point(dx, dy, seed);
        OracleChecks.LowerHvp(problem, x, y, v, Batch.Full);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LowerCrossProduct_RandomQuadratic_MatchesCentralDifference(int dx, int dy, int seed)
    {
        var (problem, x, y, v) = Point(dx, dy, seed);
        OracleChecks.LowerCrossProduct(problem, x, y, v, Batch.Full);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LowerHvpAndCrossProduct_RandomQuadratic_EqualsSeparateCalls(int dx, int dy, int seed)
    {
        var (problem, x, y, v) = Point(dx, dy, seed);
        OracleChecks.FusedSecondOrder(problem, x, y, v, Batch.Full);
    }

    [Fact]
    public void Oracles_RandomQuadratic_MatchTheQuadraticFormsClosedForm()
    {
        // A second, non-FD reference: the stated form q = ½xᵀQxx x + xᵀQxy y + ½yᵀQyy y + bxᵀx + byᵀy + c.
        var (problem, x, y, v) = Point(4, 6, 21);
        var xv = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(x);
        var yv = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(y);
        var vv = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(v);
        var g = problem.Lower;
        var f = problem.Upper;
        var gValue = (0.5 * (xv * g.Qxx * xv)) + (xv * g.Qxy * yv) + (0.5 * (yv * g.Qyy * yv)) + (g.Bx * xv) + (g.By * yv) + g.Constant;
        var fValue = (0.5 * (xv * f.Qxx * xv)) + (xv * f.Qxy * yv) + (0.5 * (yv * f.Qyy * yv)) + (f.Bx * xv) + (f.By * yv) + f.Constant;
        Check.Close(gValue, problem.LowerValue(x, y), 1e-12, "g");
        Check.Close(fValue, problem.UpperValue(x, y), 1e-12, "f");

        var hvp = new double[6];
        var cross = new double[4];
        problem.LowerHvpAndCrossProduct(x, y, v, hvp, cross);
        Check.Close((g.Qyy * vv).ToArray(), hvp, 1e-12, "Qyy v");
        Check.Close((g.Qxy * vv).ToArray(), cross, 1e-12, "Qxy v");
    }

    [Fact]
    public void Oracles_QuadraticUnderSingleIndexBatch_EqualFullBatch()
    {
        // A problem without samples treats every (valid) batch as the full one.
        var (problem, x, y, v) = Point(3, 4, 31);
        var batch = Batch.Of([0]);
        Assert.Equal(problem.UpperValue(x, y), problem.UpperValue(x, y, batch));
        Assert.Equal(problem.LowerValue(x, y), problem.LowerValue(x, y, batch));
        var full = new double[4];
        var mini = new double[4];
        problem.LowerHvp(x, y, v, full);
        problem.LowerHvp(x, y, v, mini, batch);
        Check.BitwiseEqual(full, mini, "HVP");
    }
}
