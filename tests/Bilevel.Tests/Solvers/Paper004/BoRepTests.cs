using Bilevel.Numerics;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper004;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper004;

public sealed class BoRepTests
{
    [Theory]
    [InlineData(2, 3, 1)]
    [InlineData(3, 5, 2)]
    [InlineData(1, 1, 0)]
    public void Iterate_Counts_EqualCostFormula(int period, int steps, int epochs)
    {
        // σ = 0: T_s = ⌈16 L/μ⌉ = 160 for L = 10, μ = 1 (eq. 29), so the start costs 160 k† lower gradients.
        var options = new BoRepOptions
        {
            Period = period,
            LowerSteps = steps,
            RefinementEpochs = epochs,
            RefinementGradientNoise = 0,
            UpperBatchSize = 8,
            SecondOrderBatchSize = 8,
            LowerBatchSize = 8,
        };
        var (start, counts) = SolverKit.CountIterations(new BoRep(options), SolverKit.CheckProblem(), 7);
        SolverKit.AssertCounts(SolverKit.Expected(lowerGradientsY: 160 * epochs, lowerSamples: 8 * 160 * epochs), start, "start (Epoch-SGD)", samples: true);
        for (var k = 0; k < counts.Length; k++)
        {
            var lower = k > 0 && k % period == 0 ? steps : 0;
            SolverKit.AssertCounts(
                SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: lower, hvps: 1, crossProducts: 1, upperSamples: 8, lowerSamples: 8 * (lower + 1)),
                counts[k], $"iteration {k}", samples: true);
        }
    }

    [Theory]
    [InlineData(0.02, true)]
    [InlineData(2.15, false)]
    public void Iterate_Quadratic_MatchesHandWrittenAlgorithm1(double radius, bool everyStepProjected)
    {
        // Deterministic quadratic, no refinement, radii at which the projection of Algorithm 2 is active: for every lower
        // step (0.02; the steps move y by ≈ 2.1–2.2) or for some (2.15).
        const double eta = 0.05, gamma = 0.08, nu = 0.07, beta = 0.8;
        const int period = 2, steps = 3, iterations = 7;
        var problem = TestProblems.Quadratic(10, 20, 5);
        var options = new BoRepOptions(StepSize.Constant(eta), StepSize.Constant(gamma), StepSize.Constant(nu), beta, period, steps, radius, RefinementEpochs: 0);
        var solver = new BoRep(options);
        var x0 = TestProblems.RandomVector(10, 1);
        var y0 = TestProblems.RandomVector(20, 2);
        var state = (BoRep.State)solver.Start(problem, x0, y0, 0);

        var x = x0.ToArray();
        var y = y0.ToArray();
        var z = new double[20];
        var m = new double[10];
        var gx = new double[10];
        var gy = new double[20];
        var hvp = new double[20];
        var cross = new double[10];
        var g = new double[20];
        var projected = false;
        long lowerSteps = 0, projections = 0;
        var largest = 0.0;
        for (var k = 0; k < iterations; k++)
        {
            var solverBefore = state.X.ToArray();
            solver.Iterate(state);
            problem.UpperGradients(x, y, gx, gy);
            problem.LowerHvp(x, y, z, hvp);
            problem.LowerCrossProduct(x, y, z, cross);
            var next = y.ToArray();
            if (k > 0 && k % period == 0)
            {
                var center = y.ToArray();
                var yt = y.ToArray();
                var sum = new double[20];
                for (var t = 0; t < steps; t++)
                {
                    problem.LowerGradientY(x, yt, g);
                    for (var i = 0; i < 20; i++)
                    {
                        yt[i] -= gamma * g[i];
                    }

                    var d = Math.Sqrt(Enumerable.Range(0, 20).Sum(i => (yt[i] - center[i]) * (yt[i] - center[i])));
                    lowerSteps++;
                    largest = Math.Max(largest, d);
                    if (d > radius)
                    {
                        projected = true;
                        projections++;
                        for (var i = 0; i < 20; i++)
                        {
                            yt[i] = center[i] + ((yt[i] - center[i]) * radius / d);
                        }
                    }

                    for (var i = 0; i < 20; i++)
                    {
                        sum[i] += yt[i];
                    }
                }

                next = sum.Select(s => s / steps).ToArray();
            }

            for (var i = 0; i < 20; i++)
            {
                z[i] -= nu * (hvp[i] - gy[i]);
            }

            for (var i = 0; i < 10; i++)
            {
                m[i] = (beta * m[i]) + ((1 - beta) * (gx[i] - cross[i]));
            }

            var norm = Math.Sqrt(m.Sum(v => v * v));
            for (var i = 0; i < 10; i++)
            {
                x[i] -= eta * m[i] / norm;
            }

            y = next;
            Check.Close(eta, Vectors.Distance(solverBefore, state.X), 1e-12, $"‖x_{k + 1} − x_{k}‖ = η");
            Check.Close(x, state.X, 1e-10, $"x after iteration {k}");
            Check.Close(y, state.Y, 1e-10, $"y after iteration {k}");
            Check.Close(z, state.Z, 1e-10, $"z after iteration {k}");
            Check.Close(m, state.Momentum, 1e-10, $"m after iteration {k}");
        }

        Assert.True(projected, "the test should exercise the projection onto B(y_k, R)");
        Assert.Equal(iterations, state.UpperSteps);
        Assert.Equal(lowerSteps, state.LowerUpdateSteps);
        Assert.Equal(projections, state.ProjectedSteps);
        Assert.True(everyStepProjected == (projections == lowerSteps), $"{projections} of {lowerSteps} lower steps projected");
        Check.Close(largest, state.LargestDisplacement, 1e-10, "largest displacement");
        Assert.Equal(new Dictionary<string, double>
        {
            [BoRep.LowerUpdateStepsName] = lowerSteps,
            [BoRep.ProjectedStepsName] = projections,
            [BoRep.LargestDisplacementName] = state.LargestDisplacement,
        }, state.Diagnostics);
    }

    [Fact]
    public void Run_BoRep_TraceCarriesFinalDiagnostics()
    {
        var problem = TestProblems.Quadratic(10, 20, 5);
        var options = new BoRepOptions(StepSize.Constant(0.05), StepSize.Constant(0.08), StepSize.Constant(0.07), 0.8, 2, 3, 1e-6, RefinementEpochs: 0);
        var trace = SolverRunner.Run(new BoRep(options), problem, new RunSettings(new RunBudget(9)) { UpperStart = TestProblems.RandomVector(10, 1), LowerStart = TestProblems.RandomVector(20, 2) });

        // Iterations 2, 4, 6, 8 update y with 3 steps each; a radius of 1e-6 is left by every step.
        Assert.Equal(12, trace.Diagnostics[BoRep.LowerUpdateStepsName]);
        Assert.Equal(12, trace.Diagnostics[BoRep.ProjectedStepsName]);
        Assert.True(trace.Diagnostics[BoRep.LargestDisplacementName] > 1e-6);
    }

    [Fact]
    public void Iterate_ExactLowerAndLinearSystem_StepsAlongExactHypergradient()
    {
        // With y₀ = y*(x₀), z₀ = z*(x₀) (one exact iteration cannot set z, so β = 0 and the second step is checked
        // after z has been set by hand), the estimate equals ∇Φ: x moves by −η ∇Φ/‖∇Φ‖.
        var problem = TestProblems.Quadratic(10, 20, 3);
        var x0 = TestProblems.RandomVector(10, 4);
        var y0 = new double[20];
        problem.ExactLowerSolution(x0, y0);
        var solver = new BoRep(new BoRepOptions(StepSize.Constant(0.1), StepSize.Constant(0.01), StepSize.Constant(0.01), Momentum: 0, RefinementEpochs: 0));
        var state = (BoRep.State)solver.Start(problem, x0, y0, 0);
        var gy = new double[20];
        problem.UpperGradientY(x0, y0, gy);
        var hessian = new Bilevel.LinearSolvers.LowerHessianOperator(problem).Bind(x0, y0);
        new Bilevel.LinearSolvers.ConjugateGradient(new Bilevel.LinearSolvers.ConjugateGradientOptions(100, 1e-14)).Solve(hessian, gy, state.Z);
        solver.Iterate(state);
        var exact = new double[10];
        problem.ExactHypergradient(x0, exact);
        var expected = x0.ToArray();
        Vectors.Axpy(-0.1 / Vectors.Norm(exact), exact, expected);
        Check.Close(expected, state.X, 1e-8, "x after one normalized step along ∇Φ");
    }

    [Fact]
    public void Start_EpochSgdExactGradients_ReachesGapBoundOfLemmaD2()
    {
        // σ = 0: each epoch halves the gap bound (P0 = V0/(8·2^s) ≤ V0/2^{s+1}), so after k† epochs the gap is ≤ V0/2^{k†}.
        var problem = TestProblems.Quadratic(10, 20, 7);
        var (mu, l) = problem.LowerCurvature(new double[10]);
        var x0 = TestProblems.RandomVector(10, 8);
        var y0 = new double[20];
        var star = new double[20];
        problem.ExactLowerSolution(x0, star);
        var gap0 = problem.LowerValue(x0, y0) - problem.LowerValue(x0, star);
        const int epochs = 6;
        var options = new BoRepOptions
        {
            RefinementEpochs = epochs,
            RefinementInitialGap = gap0,
            RefinementStrongConvexity = mu,
            RefinementSmoothness = l,
            RefinementGradientNoise = 0,
        };
        var state = (BoRep.State)new BoRep(options).Start(problem, x0, y0, 0);
        var gap = problem.LowerValue(x0, state.Y) - problem.LowerValue(x0, star);
        Assert.True(gap >= -1e-12 && gap <= gap0 / Math.Pow(2, epochs), $"gap {gap:E3} > V0/2^k† = {gap0 / Math.Pow(2, epochs):E3}");
        Assert.True(gap0 > 1, "the test needs a non-trivial start");
    }

    [Fact]
    public void EpochSgdSchedule_Formulas_MatchEquations28To30()
    {
        var schedule = new EpochSgdSchedule(3, InitialGap: 2, StrongConvexity: 0.5, Smoothness: 4, GradientNoise: 0.3, Confidence: 0.05);
        var log = Math.Log(2 * 3 / 0.05);
        var lambda = Math.Max(Math.Sqrt(3 * log), log);
        Check.Close(lambda, schedule.Lambda, 1e-14, "λ (eq. 38)");
        for (var s = 0; s < 3; s++)
        {
            var t = Math.Ceiling(Math.Max(16 * 4 / 0.5, 32 * 4 * lambda * lambda * 0.09 / (0.5 * 2 * Math.Pow(2, -(s + 2)))));
            Assert.Equal((long)t, schedule.Length(s));
            Check.Close(Math.Min(1 / 8.0, Math.Sqrt(2 * Math.Pow(2, -s) / (2 * 0.5 * t)) / 0.3), schedule.Step(s), 1e-14, $"α_{s} (eq. 30)");
            Check.Close(Math.Sqrt(2 * 2 / (0.5 * Math.Pow(2, s))), schedule.Radius(s), 1e-14, $"radius of B_{s} (eq. 28)");
        }

        Assert.True(schedule.Length(2) > schedule.Length(0), "T_s grows with s once the noise term dominates");
    }

    [Fact]
    public void Project_OutsideBall_LandsOnSphereAlongRay()
    {
        double[] center = [1, 2];
        double[] inside = [1.3, 2.4];
        Assert.False(BallProjection.Project(inside, center, 0.5));
        Check.Close([1.3, 2.4], inside, 0, "inside point unchanged");
        double[] outside = [4, 6];
        Assert.True(BallProjection.Project(outside, center, 0.5));
        Check.Close([1.3, 2.4], outside, 1e-14, "projection of (4, 6) onto B((1, 2), 0.5)");
    }

    [Fact]
    public void UpdatesLowerAt_Period_IsPositiveMultiples()
    {
        var solver = new BoRep(new BoRepOptions { Period = 3 });
        Assert.False(solver.UpdatesLowerAt(0));
        Assert.False(solver.UpdatesLowerAt(2));
        Assert.True(solver.UpdatesLowerAt(3));
        Assert.True(solver.UpdatesLowerAt(6));
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("UpperStep", () => new BoRep(new BoRepOptions { UpperStep = StepSize.Constant(0) }));
        Assert.Throws<ArgumentOutOfRangeException>("Momentum", () => new BoRep(new BoRepOptions { Momentum = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>("Period", () => new BoRep(new BoRepOptions { Period = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("LowerSteps", () => new BoRep(new BoRepOptions { LowerSteps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("Radius", () => new BoRep(new BoRepOptions { Radius = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("LowerBatchSize", () => new BoRep(new BoRepOptions { LowerBatchSize = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>("RefinementInitialGap", () => new BoRep(new BoRepOptions { RefinementInitialGap = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("RefinementConfidence", () => new BoRep(new BoRepOptions { RefinementConfidence = 1 }));
        var e = Assert.Throws<ArgumentOutOfRangeException>("RefinementEpochs", () => new BoRep(new BoRepOptions { RefinementEpochs = 40 }));
        Assert.DoesNotContain('\n', e.Message);
    }
}
