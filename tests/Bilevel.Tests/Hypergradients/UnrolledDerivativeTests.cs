using Bilevel.Hypergradients;
using Bilevel.Problems;
using Bilevel.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;

namespace Bilevel.Tests.Hypergradients;

/// <summary>
/// The trajectory-based estimators against independent references: ITD against a finite difference of the unrolled
/// objective x ↦ f(x, y_T(x)), FSLA and ES-ITDM against their recursions written out with the quadratic's matrices.
/// </summary>
public sealed class UnrolledDerivativeTests
{
    /// <summary>f(x, y_T(x)) with y_T from T GD steps at x on the batch (the function ITD differentiates).</summary>
    private static double Unrolled(BilevelProblem problem, double[] x, int steps, double step, Batch batch) =>
        problem.UpperValue(x, Estimators.Trajectory(problem, x, steps, step, batch).Last.ToArray(), batch);

    public static TheoryData<string, int, int> Cases => new()
    {
        { "quadratic", 1, 0 },
        { "quadratic", 5, 0 },
        { "quadratic", 30, 0 },
        { "least-squares", 1, 0 },
        { "least-squares", 8, 0 },
        { "least-squares", 8, 25 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Estimate_IterativeDifferentiation_MatchesCentralDifferenceOfUnrolledObjective(string kind, int steps, int batchSize)
    {
        // y_T(x) is affine in x and f quadratic, so the unrolled objective is quadratic in x: its central difference
        // is exact up to rounding (≲ 1e-8 relative), hence the 1e-6 tolerance.
        BilevelProblem problem;
        double[] x;
        if (kind == "quadratic")
        {
            problem = TestProblems.Quadratic(4, 6, 8);
            x = TestProblems.RandomVector(4, 9);
        }
        else
        {
            (var leastSquares, x) = TestProblems.LeastSquares(10, 4);
            problem = leastSquares;
        }

        var batch = batchSize == 0 ? Batch.Full : Batch.Of(TestProblems.RandomIndices(batchSize, problem.LowerSampleCount, 11));
        var step = 0.9 / ((IExactBilevelProblem)problem).LowerCurvature(x).Smoothness;
        var fd = FiniteDifference.Gradient(xx => Unrolled(problem, xx, steps, step, batch), x);
        var itd = Estimators.Run(Estimators.Itd, problem, x, steps, step, batch).Estimate;
        Check.Close(fd, itd, 1e-6, $"ITD through {steps} steps vs d/dx f(x, y_T(x))");
        var es = Estimators.Run(Estimators.JacobianRecursion, problem, x, steps, step, batch).Estimate;
        Check.BitwiseEqual(itd, es, "ES-ITDM with the trajectory's steps vs ITD");
    }

    [Fact]
    public void Estimate_IterativeDifferentiationWithZeroSteps_ReturnsUpperGradientX()
    {
        // With T = 0, y_T = y_0 does not depend on x: the derivative is ∇x f(x, y_0) and no second-order call is made.
        var problem = TestProblems.Quadratic(3, 4, 12);
        var x = TestProblems.RandomVector(3, 13);
        var expected = new double[3];
        problem.UpperGradientX(x, new double[4], expected);
        var (estimate, counts) = Estimators.Run(Estimators.Itd, problem, x, 0, 0.1);
        Check.BitwiseEqual(expected, estimate, "ITD at T = 0");
        Assert.Equal(0, counts.SecondOrderProducts);
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(10, 4)]
    [InlineData(10, 10)]
    [InlineData(10, 25)]
    public void Estimate_TruncatedIterativeDifferentiation_EqualsNeumannWithJTermsOnQuadratic(int steps, int truncation)
    {
        // Constant Hessians: the last J steps contribute η Σ_{q<J} (I − ηH)^q ∇y f(y_T), the J-term Neumann series at y_T.
        var problem = TestProblems.Quadratic(5, 8, 14);
        var x = TestProblems.RandomVector(5, 15);
        var step = 0.9 / problem.LowerCurvature(x).Smoothness;
        var trajectory = Estimators.Trajectory(problem, x, steps, step);
        var truncated = new double[5];
        new IterativeDifferentiation(truncation).Estimate(problem, x, trajectory, truncated);
        var neumann = new double[5];
        Estimators.Create(Estimators.Neumann, Math.Min(steps, truncation), step).Estimate(problem, x, trajectory, neumann);
        Check.Close(neumann, truncated, 1e-12, $"ITD truncated to J = {truncation} of T = {steps}");

        var full = new double[5];
        new IterativeDifferentiation().Estimate(problem, x, trajectory, full);
        if (truncation >= steps)
        {
            Check.BitwiseEqual(full, truncated, "J ≥ T is full ITD");
        }
        else
        {
            Assert.True(Check.RelativeError(truncated, full) > 1e-6, "truncation should change the estimate");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(17)]
    public void Estimate_ForwardRecursion_MatchesRecursionWrittenWithProblemMatrices(int steps)
    {
        // v_{k+1} = β ∇y f(x, y_k) + (I − β Qyy^g) v_k from v_0 = 0, then ∇x f(x, y_T) − Qxy^g v_T (paper 000 Lemma 2).
        var problem = TestProblems.Quadratic(6, 9, 16);
        var x = TestProblems.RandomVector(6, 17);
        var beta = 0.8 / problem.LowerCurvature(x).Smoothness;
        var trajectory = Estimators.Trajectory(problem, x, steps, beta);
        var f = problem.Upper;
        var g = problem.Lower;
        var xv = Vector<double>.Build.DenseOfArray(x);
        var v = Vector<double>.Build.Dense(9);
        for (var k = 0; k < steps; k++)
        {
            var yk = Vector<double>.Build.DenseOfArray(trajectory.Iterate(k).ToArray());
            var gradientY = (f.Qyy * yk) + f.Qxy.TransposeThisAndMultiply(xv) + f.By;
            v = (beta * gradientY) + v - (beta * (g.Qyy * v));
        }

        var yT = Vector<double>.Build.DenseOfArray(trajectory.Last.ToArray());
        var expected = (f.Qxx * xv) + (f.Qxy * yT) + f.Bx - (g.Qxy * v);

        var recursion = new ForwardRecursion(beta);
        var estimate = new double[6];
        recursion.Estimate(problem, x, trajectory, estimate);
        Check.Close(expected.ToArray(), estimate, 1e-12, $"FSLA over {steps} steps");

        // Streaming: advancing once per iterate and reading out at y_T gives the same estimate, bitwise.
        var streaming = new ForwardRecursion(beta);
        streaming.Reset(9);
        for (var k = 0; k < steps; k++)
        {
            streaming.Advance(problem, x, trajectory.Iterate(k));
        }

        var streamed = new double[6];
        streaming.Current(problem, x, trajectory.Last, streamed);
        Check.BitwiseEqual(estimate, streamed, "streamed FSLA vs Estimate");
        Check.Close(v.ToArray(), streaming.State, 1e-12, "v_T");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    public void Estimate_JacobianRecursionWithVirtualStep_MatchesUnrolledJacobianFormula(int steps)
    {
        // Paper 001 eq. (6) with constant Hessians: J^T ∇y f = −Σ_{k<T} γ Qxy (I − γQyy)^{T−1−k} ∇y f(x, y_T).
        var problem = TestProblems.Quadratic(5, 7, 18);
        var x = TestProblems.RandomVector(5, 19);
        var smoothness = problem.LowerCurvature(x).Smoothness;
        var alpha = 0.9 / smoothness;
        var gamma = 0.3 / smoothness;
        var trajectory = Estimators.Trajectory(problem, x, steps, alpha);
        var fx = new double[5];
        var fy = new double[7];
        problem.UpperGradients(x, trajectory.Last, fx, fy);
        var g = problem.Lower;
        var contraction = Matrix<double>.Build.DenseIdentity(7) - (gamma * g.Qyy);
        var a = Vector<double>.Build.DenseOfArray(fy);
        var expected = Vector<double>.Build.DenseOfArray(fx);
        for (var k = steps - 1; k >= 0; k--)
        {
            expected -= gamma * (g.Qxy * a);
            a = contraction * a;
        }

        var estimate = new double[5];
        new JacobianRecursion(gamma).Estimate(problem, x, trajectory, estimate);
        Check.Close(expected.ToArray(), estimate, 1e-12, $"ES-ITDM with γ ≠ α over {steps} steps");
        var itd = new double[5];
        new IterativeDifferentiation().Estimate(problem, x, trajectory, itd);
        Assert.True(Check.RelativeError(estimate, itd) > 1e-6, "a different γ should give a different estimate");
    }

    [Theory]
    [InlineData(7, 13, 10.0, 21)]
    [InlineData(3, 5, 10.0, 22)]
    [InlineData(4, 30, 10.0, 23)]
    [InlineData(5, 1, 1.0, 24)]
    public void Estimate_AidCgAtExactLowerSolutionWithDyIterations_MatchesExactTo1e10(int dx, int dy, double kappa, int seed)
    {
        // At y = y* the only error left is CG's; float64 CG terminates in dy iterations at κ = 10 (ConjugateGradientTests).
        var problem = TestProblems.Quadratic(dx, dy, seed, kappa);
        var x = TestProblems.RandomVector(dx, seed + 100);
        var yStar = TestProblems.ExactLowerSolution(problem, problem, x);
        var estimate = new double[dx];
        var result = Estimators.Create(Estimators.ConjugateGradient, dy, 0).Estimate(problem, x, LowerTrajectory.FromPoint(yStar), estimate);
        Check.Close(TestProblems.ExactHypergradient(problem, problem, x), estimate, 1e-10, $"AID-CG with {dy} iterations at y*");
        Assert.InRange(result.Counts.Hvps, 1, dy);
    }

    [Fact]
    public void Estimate_AidCgAtExactLowerSolutionOnLeastSquares_MatchesExactTo1e10()
    {
        var (problem, lambda) = TestProblems.LeastSquares(25, 5);
        var yStar = TestProblems.ExactLowerSolution(problem, problem, lambda);
        var estimate = new double[5];
        Estimators.Create(Estimators.ConjugateGradient, 5, 0).Estimate(problem, lambda, LowerTrajectory.FromPoint(yStar), estimate);
        Check.Close(TestProblems.ExactHypergradient(problem, problem, lambda), estimate, 1e-10, "AID-CG with dy iterations at y*");
    }
}
